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

std::int64_t nowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Engine::Engine(EngineOptions options, WebhookCache& webhooks)
    : options_(std::move(options)),
      webhooks_(webhooks),
      gate_(options_.max_in_flight),
      writer_(options_.redis,
              OutcomeWriter::Options{.stream = options_.stream,
                                     .group = options_.group,
                                     .key_prefix = options_.key_prefix},
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
                       .secrets = webhook->activeSecrets(nowMillis()),
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

// Runs on a dispatch worker's thread.
void Engine::onAttemptDone(DeliveryJob& job, const DeliveryResult& result) {
  const AttemptOutcome outcome = classifyAttempt(result);
  stats_.attempt_seconds.observe(std::chrono::duration<double>(result.duration).count());
  const std::string detail = describeResult(result);
  Outcome settled;
  if (job.retry_id.empty()) {
    settled.ack_entry_id = job.event.entry_id;
  }
  noteCircuitChange(circuits_.afterAttempt(endpointOf(job.url), outcome != AttemptOutcome::Retry,
                                           job.circuit_probe, std::chrono::system_clock::now()),
                    settled);

  if (outcome == AttemptOutcome::Delivered) {
    stats_.delivered++;
    stats_.delivery_latency_seconds.observe(
        static_cast<double>(std::max<std::int64_t>(0, nowMillis() - job.event.occurred_at_ms)) /
        1000.0);
    spdlog::debug("delivered event={} channel={} attempt={} status={} duration_us={}",
                  job.event.event_id, job.event.channel_id, job.attempt, result.http_status,
                  result.duration.count());
    settle(job, settled);
    settled.writes.push_back(attemptRecord(job, result, "delivered"));
    writer_.submit(std::move(settled));
    return;
  }

  stats_.attempts_failed++;
  if (outcome == AttemptOutcome::Retry) {
    const auto now = std::chrono::system_clock::now();
    if (auto delay = retry_policy_.nextDelay(job.attempt, result, now)) {
      stats_.retries_scheduled++;
      spdlog::warn(
          "delivery failed, retry scheduled event={} channel={} attempt={} result={} "
          "delay_ms={}",
          job.event.event_id, job.event.channel_id, job.attempt, detail, delay->count());
      scheduleRetry(job, detail, nowMillis() + delay->count(), settled);
      settled.writes.push_back(attemptRecord(job, result, "retry"));
      writer_.submit(std::move(settled));
      return;
    }
  }

  DeadLetterInfo info{.detail = detail, .attempts = job.attempt};
  switch (outcome) {
    case AttemptOutcome::Retry:
      info.reason = "retries exhausted";
      stats_.exhausted++;
      break;
    case AttemptOutcome::Blocked:
      // A name that resolved inside after registration, or an address allowed then and not
      // now: retrying would only be refused again (DESIGN.md section 4).
      info.reason = "blocked";
      stats_.blocked++;
      break;
    case AttemptOutcome::Gone:
      info.reason = "webhook gone (410)";
      settled.disable_channel = job.event.channel_id;
      settled.disable_reason = "receiver answered 410 Gone";
      stats_.webhooks_disabled++;
      break;
    default:
      info.reason = "rejected by receiver";
      stats_.rejected++;
      break;
  }
  stats_.dead_lettered++;
  spdlog::error(
      "delivery failed, dead-lettered event={} channel={} attempt={} reason={} "
      "result={}",
      job.event.event_id, job.event.channel_id, job.attempt, info.reason, detail);
  settle(job, settled);
  settled.writes.push_back(
      attemptRecord(job, result, outcome == AttemptOutcome::Blocked ? "blocked" : "dead"));
  settled.writes.push_back(deadLetterCommand(eventFields(job.event), job.event.entry_id, info));
  writer_.submit(std::move(settled));
}

void Engine::scheduleRetry(const DeliveryJob& job, const std::string& last_result,
                           std::int64_t due_ms, Outcome& outcome) const {
  RetryItem item{.id = job.retry_id.empty() ? job.stream + "/" + job.event.entry_id : job.retry_id,
                 .stream = job.stream,
                 .event = job.event,
                 .attempts = job.attempt,
                 .last_result = last_result};
  for (auto& command : retry_store_.scheduleCommands(item, due_ms)) {
    outcome.writes.push_back(std::move(command));
  }
}

// The skipped attempt counts against the retry schedule like a failed one, so an endpoint
// that never comes back still ends in a dead letter when the schedule runs out; it is due no
// earlier than the circuit's next probe.
void Engine::deferForOpenCircuit(DeliveryJob job, std::chrono::system_clock::time_point probe_at) {
  const std::string detail = "circuit open";
  Outcome outcome;
  if (job.retry_id.empty()) {
    outcome.ack_entry_id = job.event.entry_id;
  }
  const auto now = std::chrono::system_clock::now();
  const DeliveryResult skipped;
  if (auto delay = retry_policy_.nextDelay(job.attempt, skipped, now)) {
    stats_.circuit_deferred++;
    const auto probe_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(probe_at.time_since_epoch());
    scheduleRetry(job, detail, std::max(nowMillis() + delay->count(), probe_ms.count()), outcome);
    outcome.writes.push_back(attemptRecord(job, skipped, "circuit_open"));
    writer_.submit(std::move(outcome));
    return;
  }
  stats_.dead_lettered++;
  stats_.exhausted++;
  spdlog::error("delivery failed, dead-lettered event={} channel={} attempt={} reason={}",
                job.event.event_id, job.event.channel_id, job.attempt, "retries exhausted");
  settle(job, outcome);
  outcome.writes.push_back(attemptRecord(job, skipped, "dead"));
  outcome.writes.push_back(deadLetterCommand(
      eventFields(job.event), job.event.entry_id,
      DeadLetterInfo{.reason = "retries exhausted", .detail = detail, .attempts = job.attempt}));
  writer_.submit(std::move(outcome));
}

// Publishes an endpoint's circuit state in the outcome's transaction, for the API and status.
void Engine::noteCircuitChange(const std::optional<CircuitChange>& change, Outcome& outcome) {
  if (!change) {
    return;
  }
  const std::string key = options_.key_prefix + "circuits";
  if (change->state == CircuitState::Closed) {
    spdlog::info("circuit closed endpoint={}", change->endpoint);
    outcome.writes.push_back({"HDEL", key, change->endpoint});
    return;
  }
  const auto retry_at_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(change->retry_at.time_since_epoch())
          .count();
  spdlog::warn("circuit open endpoint={} consecutive_failures={} next_probe_in_ms={}",
               change->endpoint, change->failures, retry_at_ms - nowMillis());
  const nlohmann::json state = {{"state", circuitStateName(change->state)},
                                {"consecutive_failures", change->failures},
                                {"next_probe_at_ms", retry_at_ms}};
  outcome.writes.push_back({"HSET", key, change->endpoint, state.dump()});
}

void Engine::settle(const DeliveryJob& job, Outcome& outcome) const {
  if (job.retry_id.empty()) {
    return;
  }
  for (auto& command : retry_store_.removeCommands(job.retry_id)) {
    outcome.writes.push_back(std::move(command));
  }
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
    auto claimed = retry_store_.claimDue(link, slots, nowMillis(), lease);
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
    outcome.writes.push_back(attemptRecord(job, DeliveryResult{}, "unsubscribed"));
    writer_.submit(std::move(outcome));
    return;
  }
  dispatch(DeliveryJob{.event = std::move(item.event),
                       .url = webhook->url,
                       .secrets = webhook->activeSecrets(nowMillis()),
                       .attempt = item.attempts + 1,
                       .retry_id = item.id,
                       .stream = item.stream});
}

RedisCommand Engine::attemptRecord(const DeliveryJob& job, const DeliveryResult& result,
                                   std::string_view outcome) const {
  nlohmann::json record = {{"at_ms", nowMillis()},
                           {"event_id", job.event.event_id},
                           {"type", eventKindName(job.event.kind)},
                           {"attempt", job.attempt},
                           {"outcome", outcome},
                           {"duration_ms", result.duration.count() / 1000.0}};
  if (result.http_status != 0) {
    record["status"] = result.http_status;
  }
  if (result.curl_code != 0) {
    record["error"] = describeResult(result);
  }
  // LPUSH then LTRIM in one script keeps the newest attempt_history records.
  return {"EVAL",
          "redis.call('LPUSH', KEYS[1], ARGV[1]) "
          "redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[2]) - 1)",
          "1",
          options_.key_prefix + "attempts:" + job.event.channel_id,
          record.dump(),
          std::to_string(options_.attempt_history)};
}

RedisCommand Engine::deadLetterCommand(const StreamFields& fields, std::string_view entry_id,
                                       const DeadLetterInfo& info) const {
  RedisCommand add = {
      "XADD", options_.dead_letter_stream, "MAXLEN", "~", std::to_string(options_.dead_letter_max),
      "*"};
  for (auto& [name, value] :
       deadLetterFields(fields, options_.stream, entry_id, info, nowMillis())) {
    add.push_back(name);
    add.push_back(value);
  }
  return add;
}

void Engine::deadLetter(std::string entry_id, const StreamFields& fields, DeadLetterInfo info) {
  stats_.dead_lettered++;
  Outcome outcome;
  outcome.writes.push_back(deadLetterCommand(fields, entry_id, info));
  outcome.ack_entry_id = std::move(entry_id);
  writer_.submit(std::move(outcome));
}

void Engine::pauseAfterError(int failures) {
  // Capped exponential backoff with jitter: 100 ms, 200 ms, ... up to 5 s.
  const auto base = std::min<std::int64_t>(5000, 100LL << std::min(failures, 6));
  const auto jitter = nowMillis() % (base / 4 + 1);
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
