#include "tests/faults/steady_producer.hpp"

#include "registry/event_kind.hpp"
#include "tools/sample_payloads.hpp"

namespace hookline::testing {

SteadyProducer::SteadyProducer(Options options) : options_(std::move(options)) {}

SteadyProducer::~SteadyProducer() {
  stop();
}

void SteadyProducer::start() {
  thread_ = std::thread([this] { run(); });
}

bool SteadyProducer::waitDone() {
  if (thread_.joinable()) {
    thread_.join();
  }
  return sentCount() == options_.count;
}

void SteadyProducer::stop() {
  stop_.store(true);
  if (thread_.joinable()) {
    thread_.join();
  }
}

std::vector<std::string> SteadyProducer::sent() const {
  std::lock_guard lock(mutex_);
  return sent_;
}

std::size_t SteadyProducer::sentCount() const {
  std::lock_guard lock(mutex_);
  return sent_.size();
}

void SteadyProducer::run() {
  RedisOptions redis = options_.redis;
  redis.connect_timeout = std::chrono::milliseconds(200);
  redis.command_timeout = std::chrono::milliseconds(1000);
  RedisLink link(redis);
  const auto& samples = samplePayloads();
  const auto started = std::chrono::steady_clock::now();
  const auto first_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  const auto interval = std::chrono::duration<double>(1.0 / options_.rate);
  for (std::size_t n = 0; n < options_.count && !stop_.load(); ++n) {
    std::this_thread::sleep_until(
        started + std::chrono::duration_cast<std::chrono::steady_clock::duration>(interval * n));
    const auto& sample = samples[n % samples.size()];
    const std::string event_id = options_.tag + "_" + std::to_string(n);
    const std::string occurred_at =
        std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count());
    const std::vector<std::string> command = {
        "XADD",
        options_.stream,
        std::to_string(first_ms) + "-" + std::to_string(n + 1),
        "type",
        std::string(eventKindName(sampleKind(sample))),
        "channel_id",
        options_.channels[n % options_.channels.size()],
        "payload",
        std::string(sample.json),
        "event_id",
        event_id,
        "occurred_at",
        occurred_at};
    while (!stop_.load() && std::chrono::steady_clock::now() - started < options_.deadline) {
      auto reply = link.command(command);
      // The explicit id makes a retried XADD idempotent: if an earlier try did reach the
      // stream (its reply was lost with the link), Redis refuses the same id again.
      const bool added = reply && ((*reply)->type == REDIS_REPLY_STRING ||
                                   errorStartsWith(reply->get(), "ERR The ID specified"));
      if (added) {
        std::lock_guard lock(mutex_);
        sent_.push_back(event_id);
        break;
      }
      // Redis is down or refusing (loading after a restart): the producer keeps the event.
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
}

}  // namespace hookline::testing
