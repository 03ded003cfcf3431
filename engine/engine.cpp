#include "engine/engine.hpp"

#include <unistd.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <functional>
#include <thread>

#include "dispatcher/outcome.hpp"

namespace hookline {
namespace {

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
                                     .dead_letter_stream = options_.dead_letter_stream},
              [this](std::size_t count) { gate_.release(count); }) {
  if (options_.consumer.empty()) {
    options_.consumer = hostName();
  }
  const int threads = std::max(1, options_.dispatch_threads);
  for (int i = 0; i < threads; ++i) {
    workers_.push_back(std::make_unique<DispatchWorker>(
        options_.http, options_.attempt,
        [this](DeliveryJob& job, const DeliveryResult& result) { onAttemptDone(job, result); }));
  }
}

Engine::~Engine() {
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

  RedisLink link(options_.redis);
  StreamReader reader(link, StreamReader::Options{.stream = options_.stream,
                                                  .group = options_.group,
                                                  .consumer = options_.consumer,
                                                  .batch_size = options_.batch_size,
                                                  .block = options_.block});
  spdlog::info("engine started stream={} group={} consumer={} workers={}", options_.stream,
               options_.group, options_.consumer, workers_.size());

  int failures = 0;
  bool group_ready = false;
  while (!stop_requested_.load()) {
    if (!group_ready) {
      if (auto status = reader.ensureGroup(); !status) {
        stats_.redis_errors++;
        pauseAfterError(++failures);
        if (failures == 1 || failures % 10 == 0) {
          spdlog::warn("cannot prepare consumer group error={} failures={}", status.error().message,
                       failures);
        }
        continue;
      }
      group_ready = true;
    }
    auto batch = reader.readBatch();
    if (!batch) {
      stats_.redis_errors++;
      if (failures == 0 || (failures + 1) % 10 == 0) {
        spdlog::warn("stream read failed error={} failures={}", batch.error().message,
                     failures + 1);
      }
      pauseAfterError(++failures);
      continue;
    }
    if (failures > 0) {
      spdlog::info("stream reading resumed after={} failures", failures);
      failures = 0;
    }
    for (auto& entry : *batch) {
      if (!gate_.acquire()) {
        break;  // stopping: the rest stays pending and is re-read on restart
      }
      stats_.entries_read++;
      handleEntry(entry);
    }
  }

  spdlog::info("engine stopping in_flight={} deadline_ms={}", gate_.used(),
               options_.shutdown_deadline.count());
  if (!gate_.waitUntilEmpty(options_.shutdown_deadline)) {
    spdlog::warn("shutdown deadline passed in_flight={} (left pending for restart)", gate_.used());
  }
  for (auto& worker : workers_) {
    worker->stop();
  }
  writer_.stop(std::chrono::milliseconds(2000));
  spdlog::info("engine stopped delivered={} filtered={} dead_lettered={}", stats_.delivered.load(),
               stats_.filtered.load(), stats_.dead_lettered.load());
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
    writer_.submit(Outcome{.kind = Outcome::Kind::Ack, .entry_id = entry.id});
    return;
  }

  const std::size_t index = std::hash<std::string>{}(parsed->channel_id) % workers_.size();
  workers_[index]->submit(DeliveryJob{.event = std::move(parsed).value(), .url = webhook->url});
}

// Runs on a dispatch worker's thread.
void Engine::onAttemptDone(DeliveryJob& job, const DeliveryResult& result) {
  const AttemptOutcome outcome = classifyAttempt(result);
  if (outcome == AttemptOutcome::Delivered) {
    stats_.delivered++;
    spdlog::debug("delivered event={} channel={} status={} duration_us={}", job.event.event_id,
                  job.event.channel_id, result.http_status, result.duration.count());
    writer_.submit(Outcome{.kind = Outcome::Kind::Ack, .entry_id = job.event.entry_id});
    return;
  }

  stats_.attempts_failed++;
  // TODO: retry on schedule instead of dead-lettering retriable failures (durable retries).
  const std::string detail = describeResult(result);
  spdlog::error("delivery failed, dead-lettered event={} channel={} outcome={} result={}",
                job.event.event_id, job.event.channel_id, attemptOutcomeName(outcome), detail);
  deadLetter(job.event.entry_id, eventFields(job.event),
             DeadLetterInfo{.reason = "delivery failed", .detail = detail, .attempts = 1});
}

void Engine::deadLetter(std::string entry_id, const StreamFields& fields, DeadLetterInfo info) {
  stats_.dead_lettered++;
  Outcome outcome;
  outcome.kind = Outcome::Kind::DeadLetter;
  outcome.dead_letter = deadLetterFields(fields, options_.stream, entry_id, info, nowMillis());
  outcome.entry_id = std::move(entry_id);
  writer_.submit(std::move(outcome));
}

void Engine::pauseAfterError(int failures) {
  // Capped exponential backoff with jitter: 100 ms, 200 ms, ... up to 5 s.
  const auto base = std::min<std::int64_t>(5000, 100LL << std::min(failures, 6));
  const auto jitter = static_cast<std::int64_t>(
                          std::hash<std::thread::id>{}(std::this_thread::get_id()) + nowMillis()) %
                      (base / 4 + 1);
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(base + jitter);
  while (!stop_requested_.load() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace hookline
