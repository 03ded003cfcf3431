#include "tests/faults/fault_rig.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <thread>

#include "registry/registry_store.hpp"

namespace hookline::testing {
namespace {

bool accepted(const ReceiverReply& reply) {
  return reply.status >= 200 && reply.status < 300 && !reply.hang && !reply.reset_connection;
}

}  // namespace

bool soakMode() {
  const char* soak = std::getenv("HOOKLINE_SOAK_SECONDS");
  return soak != nullptr && std::atoi(soak) > 0;
}

std::chrono::seconds scenarioLength(std::chrono::seconds short_run) {
  return soakMode() ? std::chrono::seconds(std::atoi(std::getenv("HOOKLINE_SOAK_SECONDS")))
                    : short_run;
}

FaultRig::FaultRig(Options options) : options_(std::move(options)) {
  folder_ = std::filesystem::temp_directory_path() /
            ("hookline-fault-" + options_.scenario + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(folder_);
  std::filesystem::create_directories(folder_ / "redis");

  auto redis = LocalRedis::start(
      LocalRedis::Options{.directory = folder_ / "redis", .append_only = options_.append_only});
  if (!redis) {
    throw std::runtime_error("cannot start redis-server: " + redis.error().message);
  }
  redis_ = std::move(redis).value();

  ReceiverServer::Options receiver_options;
  receiver_options.threads = 2;
  receiver_options.idle_timeout = std::chrono::seconds(5);
  receiver_ = std::make_unique<ReceiverServer>(
      receiver_options,
      [ledger = ledger_, behaviour = options_.behaviour](const ReceivedRequest& request) {
        ReceiverReply reply = behaviour ? behaviour(request) : ReceiverReply{};
        if (accepted(reply)) {
          ledger->accepted(request.header("webhook-id"));
        }
        return reply;
      });
  receiver_->start();
  registerChannels();
}

FaultRig::~FaultRig() {
  receiver_->stop();
  redis_.reset();
  std::error_code ignored;
  // Redis's folder is kept for a failed scenario.
  if (!::testing::Test::HasFailure()) {
    std::filesystem::remove_all(folder_, ignored);
  }
}

RedisOptions FaultRig::redisOptions() const {
  RedisOptions options;
  options.endpoint.port = redis_->port();
  return options;
}

void FaultRig::registerChannels() {
  RedisLink link(redisOptions());
  RegistryStore store(link, "hookline:");
  if (auto status = store.createAccount("faults"); !status) {
    throw std::runtime_error("cannot create the account: " + status.error().message);
  }
  for (std::size_t i = 0; i < options_.channels; ++i) {
    const std::string channel = "ch_fault_" + std::to_string(i);
    WebhookConfig config;
    config.channel_id = channel;
    config.url = receiver_->url("hook/" + channel);
    config.events = EventMask::all();
    if (!store.createChannel(channel, "faults") || !store.putWebhook(config)) {
      throw std::runtime_error("cannot register channel " + channel);
    }
    channels_.push_back(channel);
  }
}

std::unique_ptr<WorkerProcess> FaultRig::startWorker(const std::string& consumer) {
  return startHookline("worker", consumer, {});
}

std::unique_ptr<WorkerProcess> FaultRig::startServe(const std::string& consumer, int api_port) {
  return startHookline("serve", consumer, {"--listen", "127.0.0.1:" + std::to_string(api_port)});
}

std::unique_ptr<WorkerProcess> FaultRig::startHookline(
    const std::string& command, const std::string& consumer,
    const std::vector<std::string>& own_options) {
  std::vector<std::string> argv;
  for (const std::string& arg :
       {std::string("--redis"), redis_->url(), command, std::string("--consumer"), consumer,
        std::string("--allow-http"), std::string("--allow-network"), std::string("127.0.0.1/32")}) {
    argv.push_back(arg);
  }
  // The rig's short schedule and limits; a scenario's worker_options replace any of them.
  const std::vector<std::pair<std::string, std::string>> defaults = {
      {"--retry-schedule", "200ms,200ms,500ms,1s,1s,2s,2s,5s,5s,10s"},
      {"--retry-jitter", "0"},
      {"--connect-timeout-ms", "1000"},
      {"--attempt-timeout-ms", "2000"},
      {"--shutdown-deadline-ms", "5000"},
      {"--circuit-cooldown", "1s"}};
  const auto& extra = options_.worker_options;
  for (const auto& [flag, value] : defaults) {
    if (std::find(extra.begin(), extra.end(), flag) == extra.end()) {
      argv.push_back(flag);
      argv.push_back(value);
    }
  }
  argv.insert(argv.end(), own_options.begin(), own_options.end());
  argv.insert(argv.end(), extra.begin(), extra.end());
  return std::make_unique<WorkerProcess>(std::move(argv), options_.launcher);
}

SteadyProducer::Options FaultRig::steadyLoad(const std::string& tag, std::chrono::seconds length,
                                             double rate) const {
  return SteadyProducer::Options{.redis = redisOptions(),
                                 .stream = stream_,
                                 .channels = channels_,
                                 .tag = tag,
                                 .count = static_cast<std::size_t>(length.count() * rate),
                                 .rate = rate,
                                 .deadline = length + std::chrono::seconds(60)};
}

void expectEveryEventDelivered(const FaultSummary& summary) {
  EXPECT_EQ(summary.lost, 0u) << summary.line() << " first lost: "
                              << (summary.lost_ids.empty() ? "" : summary.lost_ids[0]);
  EXPECT_EQ(summary.dead_lettered, 0u) << summary.line();
  EXPECT_EQ(summary.pending, 0) << summary.line();
  EXPECT_EQ(summary.delivered, summary.sent) << summary.line();
}

std::set<std::string> FaultRig::deadLetteredIds() {
  std::set<std::string> ids;
  RedisLink link(redisOptions());
  auto reply = link.commandOk({"XRANGE", "hookline:dead", "-", "+"});
  if (!reply) {
    return ids;
  }
  const redisReply* entries = reply->get();
  for (std::size_t i = 0; entries->type == REDIS_REPLY_ARRAY && i < entries->elements; ++i) {
    const redisReply* fields = entries->element[i]->element[1];
    for (std::size_t f = 0; f + 1 < fields->elements; f += 2) {
      if (replyString(fields->element[f]) == "event_id") {
        ids.insert(replyString(fields->element[f + 1]));
      }
    }
  }
  return ids;
}

long long FaultRig::pendingCount() {
  RedisLink link(redisOptions());
  auto reply = link.command({"XPENDING", stream_, "hookline"});
  if (!reply || (*reply)->type != REDIS_REPLY_ARRAY || (*reply)->elements == 0) {
    return -1;
  }
  return (*reply)->element[0]->integer;
}

FaultSummary FaultRig::settle(const std::vector<std::string>& sent,
                              std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto summarize = [&] {
    FaultSummary summary = ledger_->summarize(options_.scenario, sent, deadLetteredIds());
    summary.pending = pendingCount();
    return summary;
  };
  FaultSummary summary = summarize();
  while ((summary.lost != 0 || summary.pending != 0) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    summary = summarize();
  }
  std::cout << summary.line() << std::endl;
  return summary;
}

}  // namespace hookline::testing
