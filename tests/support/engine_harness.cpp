#include "tests/support/engine_harness.hpp"

#include <gtest/gtest.h>
#include <boost/asio/post.hpp>

#include <stdexcept>

#include "engine/metrics/engine_metrics.hpp"
#include "tests/support/fake_resolver.hpp"
#include "tests/support/test_redis.hpp"
#include "tests/support/wait.hpp"
#include "tools/api_client.hpp"

namespace hookline::testing {
namespace {

RedisOptions sharedRedisOptions() {
  RedisOptions options;
  options.endpoint.port = sharedRedis().port();
  return options;
}

}  // namespace

EngineHarness::EngineHarness(Options options)
    : prefix_(uniquePrefix()),
      engine_options_(std::move(options.engine)),
      link_(sharedRedisOptions()),
      store_(link_, prefix_) {
  engine_options_.redis = sharedRedisOptions();
  engine_options_.stream = prefix_ + "events";
  engine_options_.dead_letter_stream = prefix_ + "dead";
  engine_options_.group = "hookline";
  engine_options_.key_prefix = prefix_;
  if (engine_options_.consumer.empty()) {
    engine_options_.consumer = "worker-1";
  }
  engine_options_.attempt.allow_http = true;
  if (engine_options_.http.allow_networks.empty()) {
    engine_options_.http.allow_networks = {*CidrRange::parse(kLoopbackAllowList)};
  }
  engine_options_.block = std::chrono::milliseconds(200);

  if (auto status = link_.connect(); !status) {
    throw std::runtime_error(status.error().message);
  }
  if (options.https_receiver) {
    pki_ = std::make_unique<TestPki>();
    const auto certificate = pki_->issue("receiver", TestPki::kLoopbackNames);
    options.receiver.tls_cert_file = certificate.cert_file;
    options.receiver.tls_key_file = certificate.key_file;
    engine_options_.http.ca_file = pki_->caFile();
  }
  receiver_ = std::make_unique<ReceiverServer>(std::move(options.receiver),
                                               std::move(options.receiver_handler));
  receiver_->start();

  ApiServerOptions api_options;
  api_options.port = 0;
  api_options.allow_http = true;
  api_options.allow_networks = engine_options_.http.allow_networks;
  api_options.resolve =
      options.registration_resolver ? options.registration_resolver : FakeResolver().resolver();
  api_options.key_prefix = prefix_;
  api_options.redis = engine_options_.redis;
  api_options.stream = engine_options_.stream;
  api_options.metrics = [this] {
    std::lock_guard lock(metrics_mutex_);
    return metrics_ ? metrics_->render() : std::string();
  };
  api_ = std::make_unique<ApiServer>(api_io_, api_options);
  if (auto status = api_->start(); !status) {
    throw std::runtime_error(status.error().message);
  }
  api_thread_ = std::thread([this] { api_io_.run(); });

  webhooks_ = std::make_unique<WebhookCache>(engine_options_.redis, prefix_);
  webhooks_->start();
  if (options.start_engine) {
    startEngine();
  }
}

EngineHarness::~EngineHarness() {
  stopEngine();
  webhooks_->stop();
  boost::asio::post(api_io_, [this] { api_->stop(); });
  api_thread_.join();
  receiver_->stop();
}

void EngineHarness::startEngine() {
  std::lock_guard lock(metrics_mutex_);
  engine_ = std::make_unique<Engine>(engine_options_, *webhooks_);
  metrics_ = std::make_unique<MetricsRegistry>();
  addProcessMetrics(*metrics_);
  addEngineMetrics(*metrics_, *engine_);
  addQueueMetrics(*metrics_, engine_options_.redis,
                  QueueNames{.stream = engine_options_.stream,
                             .group = engine_options_.group,
                             .dead_letter_stream = engine_options_.dead_letter_stream,
                             .key_prefix = engine_options_.key_prefix});
  engine_thread_ = std::thread([this] { engine_->run(); });
}

void EngineHarness::stopEngine() {
  if (engine_thread_.joinable()) {
    engine_->requestStop();
    engine_thread_.join();
  }
}

std::string EngineHarness::createChannel(const std::string& channel_id,
                                         const std::string& account) {
  if (auto exists = store_.accountExists(account); exists && !*exists) {
    EXPECT_TRUE(store_.createAccount(account).ok());
  }
  EXPECT_TRUE(store_.createChannel(channel_id, account).ok());
  if (api_key_.empty()) {
    auto key = store_.createApiKey(account);
    EXPECT_TRUE(key.ok());
    api_key_ = key.ok() ? *key : "";
  }
  return channel_id;
}

long EngineHarness::setWebhook(const std::string& channel_id, const std::string& url,
                               EventMask events) {
  auto reply = callSetWebhook(apiUrl(), api_key_, channel_id, url, events);
  EXPECT_TRUE(reply.ok()) << (reply.ok() ? "" : reply.error().message);
  EXPECT_EQ(reply.ok() ? reply->status : 0, 200) << (reply.ok() ? reply->body : "");
  // The contract is "within one second"; tests wait for this worker's cache to have it so
  // that events emitted next are judged by the new configuration.
  const bool seen = waitUntil(
      [&] {
        auto config = webhooks_->find(channel_id);
        return config && config->url == url && config->events == events;
      },
      std::chrono::seconds(1));
  EXPECT_TRUE(seen) << "webhook cache did not see the change within 1 s";
  return reply.ok() ? reply->status : 0;
}

std::string EngineHarness::apiUrl() const {
  return "http://127.0.0.1:" + std::to_string(api_->port());
}

std::string EngineHarness::describe() {
  const auto& stats = engine_->stats();
  return "read=" + std::to_string(stats.entries_read.load()) +
         " delivered=" + std::to_string(stats.delivered.load()) +
         " filtered=" + std::to_string(stats.filtered.load()) +
         " dead=" + std::to_string(stats.dead_lettered.load()) +
         " in_flight=" + std::to_string(engine_->inFlight()) +
         " received=" + std::to_string(receiver_->count()) +
         " pending=" + std::to_string(pendingCount()) +
         " cache_size=" + std::to_string(webhooks_->size());
}

long long EngineHarness::pendingCount() {
  auto reply = link_.commandOk({"XPENDING", stream(), group()});
  if (!reply || (*reply)->type != REDIS_REPLY_ARRAY || (*reply)->elements == 0) {
    return -1;
  }
  return (*reply)->element[0]->integer;
}

long long EngineHarness::streamLength(const std::string& name) {
  auto reply = link_.commandOk({"XLEN", name});
  return reply ? (*reply)->integer : -1;
}

}  // namespace hookline::testing
