#pragma once

#include <hiredis/hiredis.h>

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/expected.hpp"

namespace hookline {

struct RedisEndpoint {
  std::string host = "127.0.0.1";
  int port = 6379;
  int database = 0;
  std::string username;
  std::string password;

  // redis://[[user]:password@]host[:port][/db]
  static Expected<RedisEndpoint> parse(std::string_view url);
  std::string describe() const;  // host:port/db, never the password
};

struct ReplyDeleter {
  void operator()(redisReply* reply) const noexcept { freeReplyObject(reply); }
};
using RedisReply = std::unique_ptr<redisReply, ReplyDeleter>;

struct RedisOptions {
  RedisEndpoint endpoint;
  std::chrono::milliseconds connect_timeout{2000};
  // Upper bound on one command's round trip; a blocking read adds its BLOCK time to this.
  std::chrono::milliseconds command_timeout{5000};
};

// One synchronous hiredis connection. Not thread-safe: each thread owns its own link.
// A failed link is dropped and rebuilt from a fresh context on the next command, since
// hiredis contexts cannot be reused after an I/O error.
class RedisLink {
 public:
  explicit RedisLink(RedisOptions options);

  // Connects now; later commands reconnect by themselves when the link broke.
  Status connect();
  bool connected() const { return context_ != nullptr; }
  void disconnect() { context_.reset(); }

  // Sends one command and waits for its reply. An Error means the link failed (it is then
  // dropped); a Redis error reply comes back as a reply of type REDIS_REPLY_ERROR.
  Expected<RedisReply> command(const std::vector<std::string>& args);
  Expected<RedisReply> command(std::initializer_list<std::string_view> args);
  // Like command(), but an error reply becomes an Error too.
  Expected<RedisReply> commandOk(std::initializer_list<std::string_view> args);
  Expected<RedisReply> commandOk(const std::vector<std::string>& args);

  // Pipelining: queue commands, then collect one reply per queued command, in order.
  void append(const std::vector<std::string>& args);
  Expected<std::vector<RedisReply>> flush();

  // For a blocking command, the socket timeout must outlast the server-side block.
  void setReadTimeout(std::chrono::milliseconds timeout);

  const RedisOptions& options() const { return options_; }

 private:
  struct ContextDeleter {
    void operator()(redisContext* context) const noexcept { redisFree(context); }
  };

  Status ensureConnected();
  Expected<RedisReply> fail(const char* what);

  RedisOptions options_;
  std::unique_ptr<redisContext, ContextDeleter> context_;
  std::vector<std::vector<std::string>> queued_;
  bool lost_ = false;  // the last link failed; the next successful connect is a reconnect
};

// Links of this process that came back after failing, since start (/metrics).
std::uint64_t redisReconnects();

// Helpers for reading replies.
bool isErrorReply(const redisReply* reply);
std::string replyString(const redisReply* reply);  // string, status, error or integer as text
bool errorStartsWith(const redisReply* reply, std::string_view prefix);

}  // namespace hookline
