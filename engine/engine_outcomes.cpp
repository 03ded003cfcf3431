// What the engine writes when an attempt ends: delivered, a retry scheduled (or deferred by an
// open circuit), or a dead letter, each with its attempt record, in one outcome transaction.

#include "engine/engine.hpp"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <iterator>

#include "common/json_text.hpp"
#include "dispatcher/outcome.hpp"
#include "engine/endpoint_queues.hpp"
#include "engine/time_format.hpp"

namespace hookline {

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
    stats_.delivery_latency_seconds.observe(static_cast<double>(std::max<std::int64_t>(
                                                0, nowEpochMillis() - job.event.occurred_at_ms)) /
                                            1000.0);
    spdlog::debug("delivered event={} channel={} attempt={} status={} duration_us={}",
                  job.event.event_id, job.event.channel_id, job.attempt, result.http_status,
                  result.duration.count());
    settle(job, settled);
    settled.attempt = attemptRecord(job, result, "delivered");
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
      scheduleRetry(job, detail, nowEpochMillis() + delay->count(), settled);
      settled.attempt = attemptRecord(job, result, "retry");
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
  settled.attempt =
      attemptRecord(job, result, outcome == AttemptOutcome::Blocked ? "blocked" : "dead");
  // The job's own stream: a retry may come from another shard sharing this retry store.
  settled.writes.push_back(
      deadLetterCommand(eventFields(job.event), job.stream, job.event.entry_id, info));
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
    scheduleRetry(job, detail, std::max(nowEpochMillis() + delay->count(), probe_ms.count()),
                  outcome);
    outcome.attempt = attemptRecord(job, skipped, "circuit_open");
    writer_.submit(std::move(outcome));
    return;
  }
  stats_.dead_lettered++;
  stats_.exhausted++;
  spdlog::error("delivery failed, dead-lettered event={} channel={} attempt={} reason={}",
                job.event.event_id, job.event.channel_id, job.attempt, "retries exhausted");
  settle(job, outcome);
  outcome.attempt = attemptRecord(job, skipped, "dead");
  outcome.writes.push_back(deadLetterCommand(
      eventFields(job.event), job.stream, job.event.entry_id,
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
               change->endpoint, change->failures, retry_at_ms - nowEpochMillis());
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

AttemptRecord Engine::attemptRecord(const DeliveryJob& job, const DeliveryResult& result,
                                    std::string_view outcome) const {
  // Written by hand rather than through a JSON tree: one record per attempt, and the tree cost
  // as much as the rest of the attempt's bookkeeping. Ids and names are plain text; the error
  // text is escaped (common/json_text).
  std::string record;
  record.reserve(256);
  fmt::format_to(std::back_inserter(record), R"({{"at_ms":{},"event_id":)", nowEpochMillis());
  appendJsonString(record, job.event.event_id);
  record += R"(,"type":)";
  appendJsonString(record, eventKindName(job.event.kind));
  fmt::format_to(std::back_inserter(record), R"(,"attempt":{},"outcome":)", job.attempt);
  appendJsonString(record, outcome);
  fmt::format_to(std::back_inserter(record), R"(,"duration_ms":{})",
                 static_cast<double>(result.duration.count()) / 1000.0);
  if (result.http_status != 0) {
    fmt::format_to(std::back_inserter(record), R"(,"status":{})", result.http_status);
  }
  if (result.curl_code != 0) {
    record += R"(,"error":)";
    appendJsonString(record, describeResult(result));
  }
  record += '}';
  return {.list_key = options_.key_prefix + "attempts:" + job.event.channel_id,
          .record = std::move(record)};
}

RedisCommand Engine::deadLetterCommand(const StreamFields& fields, std::string_view source_stream,
                                       std::string_view entry_id,
                                       const DeadLetterInfo& info) const {
  RedisCommand add = {
      "XADD", options_.dead_letter_stream, "MAXLEN", "~", std::to_string(options_.dead_letter_max),
      "*"};
  for (auto& [name, value] :
       deadLetterFields(fields, source_stream, entry_id, info, nowEpochMillis())) {
    add.push_back(name);
    add.push_back(value);
  }
  return add;
}

void Engine::deadLetter(std::string entry_id, const StreamFields& fields, DeadLetterInfo info) {
  stats_.dead_lettered++;
  Outcome outcome;
  outcome.writes.push_back(deadLetterCommand(fields, options_.stream, entry_id, info));
  outcome.ack_entry_id = std::move(entry_id);
  writer_.submit(std::move(outcome));
}

}  // namespace hookline
