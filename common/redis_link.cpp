#include "common/redis_link.hpp"

#include <cerrno>
#include <cstring>

#include <atomic>
#include <charconv>
#include <optional>
#include <utility>

namespace hookline {
namespace {

std::atomic<std::uint64_t> reconnects{0};

timeval toTimeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

std::optional<int> parseInt(std::string_view text) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

Expected<RedisEndpoint> RedisEndpoint::parse(std::string_view url) {
  constexpr std::string_view kScheme = "redis://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return Error{"Redis URL must start with redis://"};
  }
  std::string_view rest = url.substr(kScheme.size());
  RedisEndpoint endpoint;

  if (auto at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view credentials = rest.substr(0, at);
    rest = rest.substr(at + 1);
    if (auto colon = credentials.find(':'); colon != std::string_view::npos) {
      endpoint.username = std::string(credentials.substr(0, colon));
      endpoint.password = std::string(credentials.substr(colon + 1));
    } else {
      endpoint.password = std::string(credentials);
    }
  }
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    std::string_view db = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
    if (!db.empty()) {
      auto number = parseInt(db);
      if (!number || *number < 0) {
        return Error{"Redis URL has an invalid database number"};
      }
      endpoint.database = *number;
    }
  }
  if (auto colon = rest.rfind(':'); colon != std::string_view::npos) {
    auto port = parseInt(rest.substr(colon + 1));
    if (!port || *port <= 0 || *port > 65535) {
      return Error{"Redis URL has an invalid port"};
    }
    endpoint.port = *port;
    rest = rest.substr(0, colon);
  }
  if (rest.empty()) {
    return Error{"Redis URL has no host"};
  }
  endpoint.host = std::string(rest);
  return endpoint;
}

std::string RedisEndpoint::describe() const {
  return host + ":" + std::to_string(port) + "/" + std::to_string(database);
}

RedisLink::RedisLink(RedisOptions options) : options_(std::move(options)) {}

Status RedisLink::connect() {
  context_.reset();
  const auto& ep = options_.endpoint;
  context_.reset(
      redisConnectWithTimeout(ep.host.c_str(), ep.port, toTimeval(options_.connect_timeout)));
  if (!context_ || context_->err) {
    std::string why = context_ ? context_->errstr : "out of memory";
    context_.reset();
    return Error{"cannot connect to Redis at " + ep.describe() + ": " + why};
  }
  redisSetTimeout(context_.get(), toTimeval(options_.command_timeout));
  redisEnableKeepAlive(context_.get());

  std::vector<std::vector<std::string>> setup;
  if (!ep.password.empty()) {
    setup.push_back(ep.username.empty()
                        ? std::vector<std::string>{"AUTH", ep.password}
                        : std::vector<std::string>{"AUTH", ep.username, ep.password});
  }
  if (ep.database != 0) {
    setup.push_back({"SELECT", std::to_string(ep.database)});
  }
  for (const auto& args : setup) {
    auto reply = command(args);
    if (!reply) {
      return Error{reply.error().message};
    }
    if (isErrorReply(reply->get())) {
      context_.reset();
      return Error{"Redis refused " + args[0] + ": " + replyString(reply->get())};
    }
  }
  return {};
}

Status RedisLink::ensureConnected() {
  if (context_) {
    return {};
  }
  auto status = connect();
  if (status && lost_) {
    lost_ = false;
    reconnects.fetch_add(1, std::memory_order_relaxed);
  }
  return status;
}

std::uint64_t redisReconnects() {
  return reconnects.load(std::memory_order_relaxed);
}

Expected<RedisReply> RedisLink::fail(const char* what) {
  std::string why = context_ && context_->errstr[0] ? context_->errstr : "connection lost";
  // hiredis reports its socket timeout as the bare EAGAIN text; say what it means.
  if (context_ && context_->err == REDIS_ERR_IO &&
      (why == std::strerror(EAGAIN) || why == std::strerror(EWOULDBLOCK))) {
    why = "no answer within the command timeout of " +
          std::to_string(options_.command_timeout.count()) + " ms";
  }
  context_.reset();
  lost_ = true;
  return Error{std::string(what) + ": " + why};
}

Expected<RedisReply> RedisLink::command(const std::vector<std::string>& args) {
  if (auto status = ensureConnected(); !status) {
    return status.error();
  }
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  argv.reserve(args.size());
  lengths.reserve(args.size());
  for (const auto& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  void* raw =
      redisCommandArgv(context_.get(), static_cast<int>(argv.size()), argv.data(), lengths.data());
  if (raw == nullptr) {
    return fail("Redis command failed");
  }
  return RedisReply(static_cast<redisReply*>(raw));
}

Expected<RedisReply> RedisLink::command(std::initializer_list<std::string_view> args) {
  std::vector<std::string> copy;
  copy.reserve(args.size());
  for (auto arg : args) {
    copy.emplace_back(arg);
  }
  return command(copy);
}

Expected<RedisReply> RedisLink::commandOk(const std::vector<std::string>& args) {
  auto reply = command(args);
  if (reply && isErrorReply(reply->get())) {
    return Error{"Redis " + args.front() + " failed: " + replyString(reply->get())};
  }
  return reply;
}

Expected<RedisReply> RedisLink::commandOk(std::initializer_list<std::string_view> args) {
  std::vector<std::string> copy(args.begin(), args.end());
  return commandOk(copy);
}

void RedisLink::append(const std::vector<std::string>& args) {
  queued_.push_back(args);
}

Expected<std::vector<RedisReply>> RedisLink::flush() {
  auto queued = std::exchange(queued_, {});
  if (auto status = ensureConnected(); !status) {
    return status.error();
  }
  for (const auto& args : queued) {
    std::vector<const char*> argv;
    std::vector<size_t> lengths;
    for (const auto& arg : args) {
      argv.push_back(arg.data());
      lengths.push_back(arg.size());
    }
    if (redisAppendCommandArgv(context_.get(), static_cast<int>(argv.size()), argv.data(),
                               lengths.data()) != REDIS_OK) {
      return fail("Redis pipeline failed").error();
    }
  }
  std::vector<RedisReply> replies;
  replies.reserve(queued.size());
  for (std::size_t i = 0; i < queued.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(context_.get(), &raw) != REDIS_OK || raw == nullptr) {
      return fail("Redis pipeline failed").error();
    }
    replies.emplace_back(static_cast<redisReply*>(raw));
  }
  return replies;
}

void RedisLink::setReadTimeout(std::chrono::milliseconds timeout) {
  if (context_) {
    redisSetTimeout(context_.get(), toTimeval(timeout));
  }
}

bool isErrorReply(const redisReply* reply) {
  return reply != nullptr && reply->type == REDIS_REPLY_ERROR;
}

std::string replyString(const redisReply* reply) {
  if (reply == nullptr) {
    return {};
  }
  switch (reply->type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR:
      return std::string(reply->str, reply->len);
    case REDIS_REPLY_INTEGER:
      return std::to_string(reply->integer);
    default:
      return {};
  }
}

bool errorStartsWith(const redisReply* reply, std::string_view prefix) {
  return isErrorReply(reply) &&
         std::string_view(reply->str, reply->len).substr(0, prefix.size()) == prefix;
}

}  // namespace hookline
