#pragma once

#include <boost/asio/io_context.hpp>

#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/redis_link.hpp"
#include "engine/api/api_server.hpp"
#include "engine/engine.hpp"
#include "engine/metrics/metrics_registry.hpp"
#include "registry/registry_store.hpp"
#include "registry/webhook_cache.hpp"
#include "tests/support/test_pki.hpp"
#include "tools/receiver_server.hpp"

namespace hookline::testing {

// The whole product on loopback for one test: the shared redis-server with keys, stream and
// group under the test's own prefix, a management API on a free port, a receiver, and an
// engine on its own thread. Everything stops in the destructor.
//
// The address guard stays on: the API and the engine allow exactly 127.0.0.1/32 (where the
// receiver listens; kLoopbackAllowList), nothing else on loopback, unless the test sets
// engine.http.allow_networks itself.
inline constexpr const char* kLoopbackAllowList = "127.0.0.1/32";

class EngineHarness {
 public:
  struct Options {
    ReceiverServer::Handler receiver_handler;  // null: answer 200
    EngineOptions engine;                      // redis, names and allow_http are filled in
    bool start_engine = true;
    // How the receiver listens: set tls_cert_file and tls_key_file for HTTPS (and
    // engine.http.ca_file to the issuing CA, see tests/support/test_pki.hpp).
    ReceiverServer::Options receiver;
    // Shorthand for the above: the receiver serves HTTPS with a certificate for 127.0.0.1 and
    // localhost from a throwaway test CA that the engine is told to trust (--ca-file).
    bool https_receiver = false;
    // How the API resolves webhook host names; null: no name resolves. Never real DNS.
    HostResolver registration_resolver;
  };

  explicit EngineHarness(Options options);
  EngineHarness() : EngineHarness(Options{}) {}
  ~EngineHarness();

  // The engine is started by the constructor unless Options::start_engine is false.
  void startEngine();
  void stopEngine();

  // An account, a channel of it and an API key.
  std::string createChannel(const std::string& channel_id, const std::string& account = "acme");
  // Calls setWebhook through the HTTP API; returns the HTTP status.
  long setWebhook(const std::string& channel_id, const std::string& url, EventMask events);

  std::string apiUrl() const;
  unsigned short apiPort() const { return api_->port(); }
  // The key createChannel made (for the first account it was called with); "" before.
  const std::string& apiKey() const { return api_key_; }
  const std::string& prefix() const { return prefix_; }
  const std::string& stream() const { return engine_options_.stream; }
  const std::string& deadLetterStream() const { return engine_options_.dead_letter_stream; }
  const std::string& group() const { return engine_options_.group; }
  // The options the harness gives its engine (prefixed names, the shared Redis), for tests that
  // run more engines or `hookline worker` processes on the same stream and group.
  const EngineOptions& engineOptions() const { return engine_options_; }
  RedisLink& redis() { return link_; }
  RegistryStore& store() { return store_; }
  ReceiverServer& receiver() { return *receiver_; }
  Engine& engine() { return *engine_; }
  WebhookCache& webhooks() { return *webhooks_; }

  // The engine's counters and the receiver's count, for failure messages.
  std::string describe();

  // XPENDING summary count of the group.
  long long pendingCount();
  long long streamLength(const std::string& stream);

 private:
  std::string prefix_;
  std::unique_ptr<TestPki> pki_;  // with Options::https_receiver
  EngineOptions engine_options_;
  RedisLink link_;
  RegistryStore store_;
  std::unique_ptr<ReceiverServer> receiver_;
  boost::asio::io_context api_io_;
  std::unique_ptr<ApiServer> api_;
  std::thread api_thread_;
  std::unique_ptr<WebhookCache> webhooks_;
  std::unique_ptr<Engine> engine_;
  std::thread engine_thread_;
  std::string api_key_;
  // What the API's /metrics shows: rebuilt for each engine started, as `hookline serve` builds it.
  std::mutex metrics_mutex_;
  std::unique_ptr<MetricsRegistry> metrics_;
};

}  // namespace hookline::testing
