#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>

#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <memory>
#include <mutex>
#include <thread>

#include "engine/api/api_server.hpp"
#include "engine/engine.hpp"
#include "engine/time_format.hpp"
#include "registry/registry_store.hpp"
#include "registry/webhook_cache.hpp"
#include "tools/api_client.hpp"
#include "tools/commands.hpp"
#include "tools/event_producer.hpp"
#include "tools/local_redis.hpp"
#include "tools/receiver_server.hpp"
#include "tools/stop_signals.hpp"

namespace hookline {
namespace {

constexpr std::string_view kAccount = "demo";
constexpr std::string_view kAllChannel = "demo_all";
constexpr std::string_view kStatusChannel = "demo_status";

struct DemoOptions {
  double duration_s = 0;  // 0: until Ctrl-C
  double rate = 4;
};

[[noreturn]] void fail(const std::string& message) {
  std::cerr << "hookline demo: " << message << "\n";
  throw CLI::RuntimeError(1);
}

std::int64_t nowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Prints one line per delivery the demo receiver gets.
ReceiverReply printDelivery(const ReceivedRequest& request) {
  auto body = nlohmann::json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    std::printf("  received a body that is not JSON (%zu bytes)\n", request.body.size());
    return {};
  }
  const auto occurred = parseRfc3339Millis(body.value("occurred_at", ""));
  const long long latency = occurred ? nowMillis() - *occurred : -1;
  std::printf("  delivered %-17s to %-12s webhook-id=%s  %zu bytes  %lld ms after it happened\n",
              body.value("type", "?").c_str(), body.value("channel_id", "?").c_str(),
              request.header("webhook-id").c_str(), request.body.size(), latency);
  std::fflush(stdout);
  return {};
}

void registerDemo(const RedisOptions& redis, const std::string& key_prefix, std::string& key) {
  RedisLink link(redis);
  if (auto status = link.connect(); !status) {
    fail(status.error().message);
  }
  RegistryStore store(link, key_prefix);
  store.createAccount(kAccount);  // already there on a second run: fine
  store.createChannel(kAllChannel, kAccount);
  store.createChannel(kStatusChannel, kAccount);
  auto created = store.createApiKey(kAccount);
  if (!created) {
    fail(created.error().message);
  }
  key = *created;
}

void setWebhook(const std::string& api, const std::string& key, std::string_view channel,
                const std::string& url, EventMask events) {
  auto reply = callSetWebhook(api, key, channel, url, events);
  if (!reply) {
    fail(reply.error().message);
  }
  std::printf("POST %s/api/integrations/%s/setWebhook -> %ld %s\n", api.c_str(),
              std::string(channel).c_str(), reply->status, reply->body.c_str());
  if (reply->status != 200) {
    fail("setWebhook was refused");
  }
}

void runDemo(const CLI::App& root, CommonOptions common, const DemoOptions& options) {
  StopSignals::blockInThisThread();

  auto started = startRedisUnlessGiven(root, common);
  if (!started) {
    fail(started.error().message);
  }
  std::unique_ptr<LocalRedis> local_redis = std::move(started).value();
  if (local_redis) {
    std::printf("Started a private redis-server at %s (folder %s)\n", common.redis_url.c_str(),
                local_redis->directory().c_str());
  }
  const RedisOptions redis = common.redisOptions();

  std::string key;
  registerDemo(redis, common.key_prefix, key);
  std::printf("Account '%s' with channels '%s' and '%s', and an API key for it\n",
              std::string(kAccount).c_str(), std::string(kAllChannel).c_str(),
              std::string(kStatusChannel).c_str());

  ReceiverServer sink(ReceiverServer::Options{}, printDelivery);
  sink.start();
  std::printf("Demo receiver listening at %s\n", sink.url("").c_str());

  // The demo receiver is on loopback, which the address guard refuses by default: open exactly
  // that one address, and say so.
  const auto loopback = CidrRange::parse("127.0.0.1/32");
  spdlog::warn(
      "demo: the address allow-list is open for loopback (--allow-network 127.0.0.1/32) "
      "so the local receiver can be reached");

  boost::asio::io_context api_io;
  ApiServerOptions api_options;
  api_options.port = 0;
  api_options.allow_http = true;
  api_options.allow_networks = {*loopback};
  api_options.key_prefix = common.key_prefix;
  api_options.redis = redis;
  api_options.stream = common.stream;
  ApiServer api(api_io, api_options);
  if (auto status = api.start(); !status) {
    fail(status.error().message);
  }
  std::thread api_thread([&] { api_io.run(); });
  const std::string api_url = "http://127.0.0.1:" + std::to_string(api.port());

  EventMask everything = EventMask::all();
  EventMask status_only;
  status_only.set(EventKind::MessageStatus, true);
  status_only.set(EventKind::TemplateUpdate, true);
  setWebhook(api_url, key, kAllChannel, sink.url("hooks/all"), everything);
  setWebhook(api_url, key, kStatusChannel, sink.url("hooks/status"), status_only);

  WebhookCache webhooks(redis, common.key_prefix);
  webhooks.start();
  EngineOptions engine_options;
  engine_options.redis = redis;
  engine_options.stream = common.stream;
  engine_options.group = common.group;
  engine_options.dead_letter_stream = common.dead_letter_stream;
  engine_options.consumer = "demo";
  engine_options.key_prefix = common.key_prefix;
  engine_options.attempt.allow_http = true;
  engine_options.http.allow_networks = {*loopback};
  Engine engine(engine_options, webhooks);

  std::atomic<bool> stop{false};
  std::mutex stop_mutex;
  std::condition_variable stopped;
  auto requestStop = [&] {
    stop.store(true);
    stopped.notify_all();
  };
  StopSignals signals([&](int) { requestStop(); });

  std::thread engine_thread([&] { engine.run(); });
  std::printf(
      "\nEmitting a mix of the five event kinds to both channels at %.1f/s "
      "(%s gets only message_status and template_update). Ctrl-C to stop.\n\n",
      options.rate, std::string(kStatusChannel).c_str());

  std::size_t emitted = 0;
  std::thread producer([&] {
    RedisLink link(redis);
    EmitPlan plan;
    plan.channels = {std::string(kAllChannel), std::string(kStatusChannel)};
    plan.count = 100'000'000;
    plan.rate = options.rate;
    auto written =
        emitEvents(link, common.stream, plan, &stop, [&](std::size_t total) { emitted = total; });
    if (!written) {
      spdlog::error("demo producer stopped error={}", written.error().message);
    }
  });

  {
    std::unique_lock lock(stop_mutex);
    if (options.duration_s > 0) {
      stopped.wait_for(lock, std::chrono::duration<double>(options.duration_s),
                       [&] { return stop.load(); });
      stop.store(true);
    } else {
      stopped.wait(lock, [&] { return stop.load(); });
    }
  }
  producer.join();
  engine.requestStop();
  engine_thread.join();
  webhooks.stop();
  boost::asio::post(api_io, [&] { api.stop(); });
  api_thread.join();
  sink.stop();

  const auto& stats = engine.stats();
  std::printf(
      "\nEmitted %zu events; delivered %llu, filtered %llu (kind not subscribed), "
      "dead-lettered %llu; the receiver got %zu.\n",
      emitted, static_cast<unsigned long long>(stats.delivered.load()),
      static_cast<unsigned long long>(stats.filtered.load()),
      static_cast<unsigned long long>(stats.dead_lettered.load()), sink.count());
}

}  // namespace

void addDemoCommand(CLI::App& app, CommonOptions& common) {
  auto options = std::make_shared<DemoOptions>();
  CLI::App* command = app.add_subcommand(
      "demo", "everything on a private local Redis: two channels, a receiver, events flowing");
  command->add_option("--duration", options->duration_s, "seconds to run (default: until Ctrl-C)")
      ->check(CLI::Range(0.0, 86400.0));
  command->add_option("--rate", options->rate, "events per second")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 10000.0));
  command->callback([&app, &common, options] { runDemo(app, common, *options); });
}

}  // namespace hookline
