#include "engine/engine.hpp"

#include <unistd.h>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <functional>
#include <stdexcept>
#include <thread>

#include "common/throttled_warning.hpp"
#include "dispatcher/outcome.hpp"
#include "engine/endpoint_queues.hpp"
#include "engine/time_format.hpp"

namespace hookline {
namespace {

constexpr std::size_t kRetryClaimBatch = 256;

std::string hostName() {
  char name[256] = {};
  if (::gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') {
    return "hookline";
  }
  return name;
}

}  // namespace

Engine::Engine(EngineOptions options, WebhookCache& webhooks)
    : options_(std::move(options)),
      webhooks_(webhooks),
      gate_(options_.max_in_flight),
      writer_(options_.redis,
              OutcomeWriter::Options{.stream = options_.stream,
                                     .group = options_.group,
                                     .key_prefix = options_.key_prefix,
                                     .attempt_history = options_.attempt_history},
              [this](std::size_t count) { gate_.release(count); }),
      retry_policy_(options_.retry),
      retry_store_(options_.key_prefix),
      circuits_(options_.circuit) {
  if (auto status = checkRecoveryOptions(options_.recovery, options_.attempt.total_timeout);
      !status) {
    throw std::invalid_argument(status.error().message);
  }
  if (options_.consumer.empty()) {
    options_.consumer = hostName();
  }
  writer_.onAcked([this](const std::vector<std::string>& ids) { held_.release(ids); });
  const int threads = std::max(1, options_.dispatch_threads);
  for (int i = 0; i < threads; ++i) {
    workers_.push_back(std::make_unique<DispatchWorker>(
        options_.http, options_.attempt,
        [this](DeliveryJob& job, const DeliveryResult& result) { onAttemptDone(job, result); }));
  }
}

Engine::~Engine() {
  requestStop();
  if (retry_thread_.joinable()) {
    retry_thread_.join();
  }
  if (recover_thread_.joinable()) {
    recover_thread_.join();
  }
  for (auto& worker : workers_) {
    worker->stop();
  }
  writer_.stop(std::chrono::milliseconds(0));
}

void Engine::requestStop() {
  stop_requested_.store(true);
  gate_.close();
}

void Engine::run() {
  writer_.start();
  for (auto& worker : workers_) {
    worker->start();
  }
  retry_thread_ = std::thread([this] { pollRetries(); });
  recover_thread_ = std::thread([this] { recoverLoop(); });

  RedisLink link(options_.redis);
  StreamReader reader(link, StreamReader::Options{.stream = options_.stream,
                                                  .group = options_.group,
                                                  .consumer = options_.consumer,
                                                  .batch_size = options_.batch_size,
                                                  .block = options_.block});
  spdlog::info("engine started stream={} group={} consumer={} workers={}", options_.stream,
               options_.group, options_.consumer, workers_.size());
  for (const auto& range : options_.http.allow_networks) {
    spdlog::warn("deliveries may reach the allow-listed network {} (--allow-network)",
                 range.toString());
  }

  int failures = 0;
  ThrottledWarning warning("stream reader");
  bool group_ready = false;
  while (!stop_requested_.load()) {
    if (!group_ready) {
      if (auto status = reader.ensureGroup(); !status) {
        stats_.redis_errors++;
        reading_ok_.store(false);
        warning.fail(
            fmt::format("cannot prepare consumer group error=\"{}\"", status.error().message));
        pauseAfterError(++failures);
        continue;
      }
      group_ready = true;
    }
    // Slots first, then the read: an entry is read only when it has a slot, so while the
    // engine is full the backlog stays unread in Redis and memory stays bounded.
    const std::size_t slots = gate_.acquireUpTo(options_.batch_size);
    if (slots == 0) {
      break;  // stopping
    }
    reserved_for_read_.store(slots);
    auto batch = reader.readBatch(slots);
    reserved_for_read_.store(0);
    if (!batch) {
      gate_.release(slots);
      stats_.redis_errors++;
      reading_ok_.store(false);
      warning.fail(fmt::format("stream read failed error=\"{}\"", batch.error().message));
      pauseAfterError(++failures);
      continue;
    }
    // A group found missing was recreated in readBatch(); ready again from the next read on.
    reading_ok_.store(!reader.groupWasMissing());
    failures = 0;
    warning.recovered();
    if (!reader.readingOwnPending()) {
      own_pending_read_.store(true);
    }
    // Held from now on, so the reclaim thread keeps them fresh while they wait for a slot.
    std::vector<bool> fresh;
    fresh.reserve(batch->size());
    for (const auto& entry : *batch) {
      fresh.push_back(held_.hold(entry.id));
    }
    std::size_t used = 0;
    for (std::size_t i = 0; i < batch->size(); ++i) {
      if (!fresh[i]) {
        continue;  // already in flight here
      }
      ++used;
      stats_.entries_read++;
      admitEntry((*batch)[i]);
    }
    gate_.release(slots - used);
  }

  retry_thread_.join();
  recover_thread_.join();
  spdlog::info("engine stopping in_flight={} deadline_ms={}", gate_.used(),
               options_.shutdown_deadline.count());
  if (!gate_.waitUntilEmpty(options_.shutdown_deadline)) {
    spdlog::warn(
        "shutdown deadline passed in_flight={} (stream entries stay pending for a "
        "restart; claimed retries fall due again after their lease)",
        gate_.used());
  }
  for (auto& worker : workers_) {
    worker->stop();
  }
  writer_.stop(std::chrono::milliseconds(2000));
  spdlog::info("engine stopped delivered={} filtered={} retries_scheduled={} dead_lettered={}",
               stats_.delivered.load(), stats_.filtered.load(), stats_.retries_scheduled.load(),
               stats_.dead_lettered.load());
}

void Engine::admitEntry(StreamEntry& entry) {
  if (entry.deleted) {
    stats_.deleted_before_delivery++;
    spdlog::error("entry deleted from the stream before delivery, dead-lettered entry={}",
                  entry.id);
    deadLetter(entry.id, {}, DeadLetterInfo{.reason = "deleted before delivery"});
    return;
  }
  if (entry.deliveries > options_.recovery.max_deliveries) {
    stats_.poison++;
    spdlog::error("poison entry dead-lettered entry={} deliveries={} limit={}", entry.id,
                  entry.deliveries, options_.recovery.max_deliveries);
    deadLetter(entry.id, entry.fields,
               DeadLetterInfo{.reason = "poison",
                              .detail = "handed out " + std::to_string(entry.deliveries) +
                                        " times, limit " +
                                        std::to_string(options_.recovery.max_deliveries),
                              .deliveries = entry.deliveries});
    return;
  }
  handleEntry(entry);
}

void Engine::handleEntry(StreamEntry& entry) {
  auto parsed = parseStreamEntry(options_.stream, entry.id, entry.fields, options_.limits);
  if (!parsed) {
    stats_.invalid++;
    spdlog::error("invalid stream entry dead-lettered entry={} field={} reason={}", entry.id,
                  parsed.error().field, parsed.error().reason);
    deadLetter(entry.id, entry.fields,
               DeadLetterInfo{.reason = "invalid entry",
                              .field = parsed.error().field,
                              .detail = parsed.error().reason});
    return;
  }

  auto webhook = webhooks_.find(parsed->channel_id);
  if (!webhook || !webhook->wants(parsed->kind)) {
    stats_.filtered++;
    writer_.submit(Outcome{.ack_entry_id = entry.id});
    return;
  }
  dispatch(DeliveryJob{.event = std::move(parsed).value(),
                       .url = webhook->url,
                       .secrets = webhook->activeSecrets(nowEpochMillis()),
                       .attempt = 1,
                       .stream = options_.stream});
}

void Engine::dispatch(DeliveryJob job) {
  const CircuitDecision circuit =
      circuits_.beforeAttempt(endpointOf(job.url), std::chrono::system_clock::now());
  if (!circuit.send) {
    deferForOpenCircuit(std::move(job), circuit.retry_at);
    return;
  }
  job.circuit_probe = circuit.probe;
  const std::size_t index = std::hash<std::string>{}(job.event.channel_id) % workers_.size();
  workers_[index]->submit(std::move(job));
}

// The retry thread: claims due retries while there are free slots.
void Engine::pollRetries() {
  RedisLink link(options_.redis);
  // A claimed retry must be settled well before its lease ends, or another worker takes it.
  const auto lease = options_.attempt.total_timeout * 2 + std::chrono::seconds(30);
  int failures = 0;
  ThrottledWarning warning("retry poll");
  while (!stop_requested_.load()) {
    const std::size_t slots = gate_.tryAcquire(kRetryClaimBatch);
    if (slots == 0) {
      sleepUnlessStopped(options_.retry_poll);
      continue;
    }
    auto claimed = retry_store_.claimDue(link, slots, nowEpochMillis(), lease);
    if (!claimed) {
      gate_.release(slots);
      stats_.redis_errors++;
      warning.fail(fmt::format("retry store read failed error=\"{}\"", claimed.error().message));
      pauseAfterError(++failures);
      continue;
    }
    failures = 0;
    warning.recovered();
    gate_.release(slots - claimed->size());
    for (auto& item : *claimed) {
      startRetry(std::move(item));
    }
    if (claimed->size() < slots) {
      sleepUnlessStopped(options_.retry_poll);
    }
  }
}

void Engine::startRetry(RetryItem item) {
  auto webhook = webhooks_.find(item.event.channel_id);
  if (!webhook || !webhook->wants(item.event.kind)) {
    stats_.unsubscribed++;
    spdlog::info("retry dropped, channel no longer subscribed event={} channel={} type={}",
                 item.event.event_id, item.event.channel_id, eventKindName(item.event.kind));
    Outcome outcome;
    outcome.writes = retry_store_.removeCommands(item.id);
    DeliveryJob job{.event = item.event, .attempt = item.attempts + 1, .retry_id = item.id};
    outcome.attempt = attemptRecord(job, DeliveryResult{}, "unsubscribed");
    writer_.submit(std::move(outcome));
    return;
  }
  dispatch(DeliveryJob{.event = std::move(item.event),
                       .url = webhook->url,
                       .secrets = webhook->activeSecrets(nowEpochMillis()),
                       .attempt = item.attempts + 1,
                       .retry_id = item.id,
                       .stream = item.stream});
}

void Engine::pauseAfterError(int failures) {
  // Capped exponential backoff with jitter: 100 ms, 200 ms, ... up to 5 s.
  const auto base = std::min<std::int64_t>(5000, 100LL << std::min(failures, 6));
  const auto jitter = nowEpochMillis() % (base / 4 + 1);
  sleepUnlessStopped(std::chrono::milliseconds(base + jitter));
}

void Engine::sleepUnlessStopped(std::chrono::milliseconds duration) {
  const auto until = std::chrono::steady_clock::now() + duration;
  while (!stop_requested_.load() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(
        std::min<std::int64_t>(20, std::max<std::int64_t>(1, duration.count()))));
  }
}

}  // namespace hookline
