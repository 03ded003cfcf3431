// The engine's reclaim thread: keeps this worker's held entries from being reclaimed, takes over
// the entries of workers that stopped answering, and trims acked entries from the stream.

#include "engine/engine.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/throttled_warning.hpp"

namespace hookline {

void Engine::recoverLoop() {
  RedisLink link(options_.redis);
  Reclaimer reclaimer(
      link, Reclaimer::Options{
                .stream = options_.stream, .group = options_.group, .consumer = options_.consumer});
  // Four refreshes per idle period: a held entry is never idle for much more than a quarter of
  // the reclaim idle time while this worker lives.
  const auto tick = std::max(std::chrono::milliseconds(10), options_.recovery.reclaim_idle / 4);
  auto next_trim = std::chrono::steady_clock::now() + options_.recovery.trim_interval;
  int failures = 0;
  ThrottledWarning warning("reclaimer");
  while (!stop_requested_.load()) {
    Status status = refreshHeld(reclaimer);
    if (status && own_pending_read_.load()) {
      status = reclaimIdle(reclaimer);
    }
    if (status && options_.recovery.trim_acked && std::chrono::steady_clock::now() >= next_trim) {
      status = trimAcked(reclaimer);
      next_trim = std::chrono::steady_clock::now() + options_.recovery.trim_interval;
    }
    if (!status) {
      stats_.redis_errors++;
      warning.fail(status.error().message);
      pauseAfterError(++failures);
      continue;
    }
    failures = 0;
    warning.recovered();
    const auto until_trim = std::chrono::duration_cast<std::chrono::milliseconds>(
        next_trim - std::chrono::steady_clock::now());
    sleepUnlessStopped(options_.recovery.trim_acked
                           ? std::clamp(until_trim, std::chrono::milliseconds(1), tick)
                           : tick);
  }
}

Status Engine::refreshHeld(Reclaimer& reclaimer) {
  const auto ids = held_.snapshot();
  if (ids.empty()) {
    return {};
  }
  auto refreshed = reclaimer.refresh(ids);
  if (!refreshed) {
    return Error{fmt::format("cannot refresh held entries count={} error=\"{}\"", ids.size(),
                             refreshed.error().message)};
  }
  spdlog::debug("held entries refreshed count={} still_owned={}", ids.size(), *refreshed);
  return {};
}

Status Engine::reclaimIdle(Reclaimer& reclaimer) {
  // One slot more than the batch, for the single outcome that dead-letters deleted entries.
  const std::size_t slots = gate_.tryAcquire(options_.recovery.reclaim_batch + 1);
  if (slots < 2) {
    gate_.release(slots);
    return {};  // full: what is idle waits for the next pass
  }
  auto claimed = reclaimer.claimIdle(slots - 1, options_.recovery.reclaim_idle);
  if (!claimed) {
    gate_.release(slots);
    return Error{fmt::format("cannot reclaim idle entries error=\"{}\"", claimed.error().message)};
  }

  std::size_t used = 0;
  if (!claimed->deleted_ids.empty()) {
    deadLetterDeleted(claimed->deleted_ids);
    ++used;
  }
  std::size_t taken = 0;
  for (auto& entry : claimed->entries) {
    if (!held_.hold(entry.id)) {
      continue;  // this worker's own entry, already in flight here
    }
    ++used;
    ++taken;
    stats_.reclaimed++;
    admitEntry(entry);
  }
  gate_.release(slots - used);
  if (taken > 0 || !claimed->deleted_ids.empty()) {
    spdlog::info("reclaimed idle entries count={} deleted={} consumer={}", taken,
                 claimed->deleted_ids.size(), options_.consumer);
  }
  return {};
}

Status Engine::trimAcked(Reclaimer& reclaimer) {
  auto trimmed = reclaimer.trimAcked();
  if (!trimmed) {
    return Error{fmt::format("cannot trim acked entries error=\"{}\"", trimmed.error().message)};
  }
  stats_.trimmed += static_cast<std::uint64_t>(*trimmed);
  if (*trimmed > 0) {
    spdlog::debug("acked entries trimmed count={}", *trimmed);
  }
  return {};
}

// Redis has already dropped these ids from the pending list when XAUTOCLAIM named them; the
// XACK is for servers that keep them (6.2) and costs nothing otherwise. One outcome, one slot.
void Engine::deadLetterDeleted(const std::vector<std::string>& ids) {
  Outcome outcome;
  RedisCommand ack = {"XACK", options_.stream, options_.group};
  for (const auto& id : ids) {
    stats_.deleted_before_delivery++;
    stats_.dead_lettered++;
    spdlog::error("entry deleted from the stream before delivery, dead-lettered entry={}", id);
    outcome.writes.push_back(deadLetterCommand(
        {}, options_.stream, id, DeadLetterInfo{.reason = "deleted before delivery"}));
    ack.push_back(id);
  }
  outcome.writes.push_back(std::move(ack));
  writer_.submit(std::move(outcome));
}

}  // namespace hookline
