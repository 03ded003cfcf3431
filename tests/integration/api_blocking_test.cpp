// The management API never waits on Redis or DNS on an io thread (issue 7): with a frozen
// redis-server (SIGSTOP) or a resolver that hangs, a one-thread API server still answers
// /healthz, refuses work it cannot hold with 503 and Retry-After, and works again once Redis
// is back.

#include <csignal>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "engine/api/api_server_options.hpp"
#include "engine/metrics/engine_metrics.hpp"
#include "engine/metrics/metrics_registry.hpp"
#include "registry/registry_store.hpp"
#include "tests/support/api_server_runner.hpp"
#include "tests/support/fake_resolver.hpp"
#include "tests/support/http_call.hpp"
#include "tests/support/metrics_text.hpp"
#include "tests/support/wait.hpp"
#include "tools/local_redis.hpp"

namespace hookline::testing {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kValidBody =
    R"({"url":"https://hooks.example.com/in","events":{"message_status":true}})";
constexpr std::string_view kBusySetWebhook =
    R"({"success":false,"message":"Webhook registration failed"})";
constexpr std::string_view kBusy = R"({"success":false,"message":"Service unavailable"})";

// A resolver whose lookups all hang until release() (or 20 s, so a failing test still ends),
// then answer kPublicTestAddress.
class HeldResolver {
 public:
  HostResolver resolver() const {
    return [state = state_](const std::string&) -> Expected<std::vector<IpAddress>> {
      std::unique_lock lock(state->mutex);
      state->entered += 1;
      state->changed.notify_all();
      state->changed.wait_for(lock, 20s, [&] { return state->released; });
      return std::vector<IpAddress>{*parseIpAddress(kPublicTestAddress)};
    };
  }

  bool waitForLookups(int count, std::chrono::milliseconds timeout) {
    std::unique_lock lock(state_->mutex);
    return state_->changed.wait_for(lock, timeout, [&] { return state_->entered >= count; });
  }

  void release() {
    std::lock_guard lock(state_->mutex);
    state_->released = true;
    state_->changed.notify_all();
  }

 private:
  struct State {
    std::mutex mutex;
    std::condition_variable changed;
    int entered = 0;
    bool released = false;
  };
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

// Requests sent on threads of their own; the answers are kept in the order they arrived.
class Crowd {
 public:
  void send(std::function<HttpCallResult()> call) {
    threads_.emplace_back([this, call = std::move(call)] {
      auto result = call();
      std::lock_guard lock(mutex_);
      results_.push_back(std::move(result));
    });
  }

  std::size_t answered() {
    std::lock_guard lock(mutex_);
    return results_.size();
  }

  std::vector<HttpCallResult> join() {
    for (auto& thread : threads_) {
      thread.join();
    }
    threads_.clear();
    std::lock_guard lock(mutex_);
    return results_;
  }

  ~Crowd() { join(); }

 private:
  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::vector<HttpCallResult> results_;
};

class ApiBlockingTest : public ::testing::Test {
 protected:
  // A redis-server of this test's own, since the tests freeze it.
  void SetUp() override {
    auto started = LocalRedis::start();
    ASSERT_TRUE(started.ok()) << started.error().message;
    redis_ = std::move(started).value();
    link_ = std::make_unique<RedisLink>(redisOptions());
    RegistryStore store(*link_, kPrefix);
    ASSERT_TRUE(store.createAccount("acme").ok());
    ASSERT_TRUE(store.createChannel("ch_acme", "acme").ok());
    auto key = store.createApiKey("acme");
    ASSERT_TRUE(key.ok());
    key_ = *key;
  }

  // Whatever happened, the server is stopped with Redis running (a stopped redis-server could
  // not be stopped by its SIGTERM).
  void TearDown() override {
    thaw();
    api_.stop();
  }

  RedisOptions redisOptions() const {
    RedisOptions options;
    options.endpoint.port = redis_->port();
    // Longer than any test waits: a command to the frozen server stays stuck until thaw().
    options.command_timeout = 30s;
    return options;
  }

  ApiServerOptions serverOptions() const {
    ApiServerOptions options;
    options.port = 0;
    options.key_prefix = kPrefix;
    options.redis = redisOptions();
    options.stream = std::string(kPrefix) + "events";
    options.resolve = publicResolver();
    return options;
  }

  void freeze() {
    redis_->signal(SIGSTOP);
    frozen_ = true;
  }

  void thaw() {
    if (frozen_) {
      redis_->signal(SIGCONT);
      frozen_ = false;
    }
  }

  HttpCallResult setWebhook(std::chrono::milliseconds timeout = 40s) {
    return httpCall(api_.port(), "POST", "/api/integrations/ch_acme/setWebhook",
                    {{"X-API-Key", key_}, {"Content-Type", "application/json"}},
                    std::string(kValidBody), timeout);
  }

  HttpCallResult getWebhook(std::chrono::milliseconds timeout = 40s) {
    return httpCall(api_.port(), "GET", "/api/integrations/ch_acme/webhook", {{"X-API-Key", key_}},
                    {}, timeout);
  }

  HttpCallResult healthz() { return httpCall(api_.port(), "GET", "/healthz", {}, {}, 5s); }

  static void expectBusy(const HttpCallResult& result, std::string_view body) {
    EXPECT_EQ(result.status, 503) << result.error;
    EXPECT_EQ(result.body, body);
    EXPECT_EQ(result.header("Retry-After"), "1");
  }

  static constexpr const char* kPrefix = "t:blocking:";
  std::unique_ptr<LocalRedis> redis_;
  std::unique_ptr<RedisLink> link_;
  std::string key_;
  bool frozen_ = false;
  ApiServerRunner api_;  // one io thread
};

TEST_F(ApiBlockingTest, HealthzReadyzAndMetricsAnswerWhileSetWebhooksWaitOnAFrozenRedis) {
  auto metrics = std::make_shared<MetricsRegistry>();
  addQueueMetrics(*metrics, redisOptions(),
                  QueueNames{.stream = std::string(kPrefix) + "events", .key_prefix = kPrefix});
  auto options = serverOptions();
  options.workers = 2;
  options.work_queue_limit = 8;  // room for all, even before a worker took its first
  options.work_deadline = 30s;
  options.metrics = [metrics] { return metrics->render(); };
  api_.start(options);
  ASSERT_EQ(setWebhook().status, 200);

  freeze();
  Crowd crowd;
  for (int i = 0; i < 4; ++i) {  // two on the workers, two queued
    crowd.send([this] { return setWebhook(); });
  }
  const auto scrape = httpCall(api_.port(), "GET", "/metrics", {}, {}, 10s);
  const auto health = healthz();
  const bool unready = waitUntil(
      [&] { return httpCall(api_.port(), "GET", "/readyz", {}, {}, 3s).status == 503; }, 10s);
  EXPECT_EQ(crowd.answered(), 0u) << "nothing could have been stored yet";
  EXPECT_EQ(health.status, 200) << health.error;
  EXPECT_TRUE(unready);
  EXPECT_EQ(scrape.status, 200) << scrape.error;
  auto page = parseMetricsPage(scrape.body);
  ASSERT_TRUE(page.ok()) << scrape.body;
  EXPECT_EQ(page->value("hookline_redis_up"), 0);

  thaw();
  for (const auto& result : crowd.join()) {
    EXPECT_EQ(result.status, 200) << result.error << result.body;
  }
  EXPECT_EQ(setWebhook().status, 200);
  EXPECT_EQ(getWebhook().status, 200);
  EXPECT_TRUE(waitUntil(
      [&] { return httpCall(api_.port(), "GET", "/readyz", {}, {}, 3s).status == 200; }, 10s));
  const auto again = httpCall(api_.port(), "GET", "/metrics", {}, {}, 10s);
  auto page_again = parseMetricsPage(again.body);
  ASSERT_TRUE(page_again.ok()) << again.body;
  EXPECT_EQ(page_again->value("hookline_redis_up"), 1);
}

TEST_F(ApiBlockingTest, WorkBeyondTheQueueIs503InTheEnvelopeWithRetryAfter) {
  auto options = serverOptions();
  options.workers = 1;
  options.work_queue_limit = 1;
  options.work_deadline = 30s;
  api_.start(options);

  freeze();
  Crowd crowd;
  // At most one on the worker and one queued: at least three are refused while Redis is
  // frozen (more when the worker had not taken the first from the queue yet).
  for (int i = 0; i < 5; ++i) {
    crowd.send([this] { return setWebhook(); });
  }
  ASSERT_TRUE(waitUntil([&] { return crowd.answered() >= 3; }, 10s));
  Crowd readers;  // one of two finds the queue full, whatever the first one found
  readers.send([this] { return getWebhook(); });
  readers.send([this] { return getWebhook(); });
  ASSERT_TRUE(waitUntil([&] { return readers.answered() >= 1; }, 10s));
  EXPECT_EQ(healthz().status, 200);

  thaw();
  const auto read = readers.join();
  EXPECT_EQ(read[0].status, 503) << "the first answer came while Redis was frozen";
  for (const auto& result : read) {
    if (result.status != 200) {
      expectBusy(result, kBusy);
    }
  }
  int stored = 0;
  for (const auto& result : crowd.join()) {
    if (result.status == 200) {
      stored += 1;
    } else {
      expectBusy(result, kBusySetWebhook);
    }
  }
  EXPECT_GE(stored, 1) << "the one on the worker completes once Redis is back";
  EXPECT_LE(stored, 2);
  EXPECT_EQ(setWebhook().status, 200);
}

TEST_F(ApiBlockingTest, WorkWithoutAnAnswerByItsDeadlineIs503AndTheApiRecoversWithRedis) {
  auto options = serverOptions();
  options.workers = 1;
  options.work_deadline = 1s;
  api_.start(options);

  freeze();
  Crowd crowd;
  crowd.send([this] { return setWebhook(10s); });  // stuck on the worker
  crowd.send([this] { return getWebhook(10s); });  // queued behind it
  ASSERT_TRUE(waitUntil([&] { return crowd.answered() == 2; }, 15s));
  int busy_set = 0;
  int busy_get = 0;
  for (const auto& result : crowd.join()) {
    EXPECT_EQ(result.status, 503) << result.error;
    EXPECT_EQ(result.header("Retry-After"), "1");
    busy_set += result.body == kBusySetWebhook ? 1 : 0;
    busy_get += result.body == kBusy ? 1 : 0;
  }
  EXPECT_EQ(busy_set, 1);
  EXPECT_EQ(busy_get, 1);
  EXPECT_EQ(healthz().status, 200);

  thaw();
  EXPECT_TRUE(waitUntil([&] { return setWebhook(5s).status == 200; }, 10s));
  EXPECT_EQ(getWebhook().status, 200);
}

TEST_F(ApiBlockingTest, HealthzAnswersWhileSetWebhookWaitsOnAHangingResolver) {
  HeldResolver resolver;
  auto options = serverOptions();
  options.resolve = resolver.resolver();
  api_.start(options);

  Crowd crowd;
  crowd.send([this] { return setWebhook(30s); });
  ASSERT_TRUE(resolver.waitForLookups(1, 10s));
  const auto health = healthz();
  const auto ready = httpCall(api_.port(), "GET", "/readyz", {}, {}, 5s);
  resolver.release();

  EXPECT_EQ(health.status, 200) << health.error;
  EXPECT_EQ(ready.status, 200) << ready.error;
  const auto results = crowd.join();
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].status, 200) << results[0].error << results[0].body;
}

}  // namespace
}  // namespace hookline::testing
