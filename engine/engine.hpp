#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/redis_link.hpp"
#include "dispatcher/circuit_breaker.hpp"
#include "dispatcher/http_client.hpp"
#include "dispatcher/retry_policy.hpp"
#include "engine/dead_letter.hpp"
#include "engine/dispatch_worker.hpp"
#include "engine/engine_stats.hpp"
#include "engine/event.hpp"
#include "engine/held_entries.hpp"
#include "engine/outcome_writer.hpp"
#include "engine/reclaimer.hpp"
#include "engine/retry_store.hpp"
#include "engine/slot_gate.hpp"
#include "engine/stream_reader.hpp"
#include "registry/webhook_cache.hpp"

namespace hookline {

struct EngineOptions {
  RedisOptions redis;
  std::string stream = "hookline:events";
  std::string group = "hookline";
  std::string consumer;  // stable across restarts; empty: the host name
  std::string dead_letter_stream = "hookline:dead";
  std::size_t dead_letter_max = 1'000'000;  // the dead-letter stream is capped near this length
  std::size_t batch_size = 256;
  std::chrono::milliseconds block{1000};
  std::size_t max_in_flight = 4096;  // entries read but without a durable outcome yet
  int dispatch_threads = 1;
  HttpClientOptions http;
  AttemptSettings attempt;
  EntryLimits limits;
  std::chrono::milliseconds shutdown_deadline{10000};
  std::string key_prefix = "hookline:";  // registry, retry store and attempt history keys
  RetrySchedule retry;
  std::size_t attempt_history = 1000;  // attempts kept per channel
  // How often the retry store is checked for due items (a retry fires within this of its time).
  std::chrono::milliseconds retry_poll{200};
  CircuitSettings circuit;
  // Reclaiming a dead worker's entries, poison, trimming; checked against `attempt`.
  RecoveryOptions recovery;
};

// The dispatcher process: reads the stream through the consumer group on the calling thread,
// filters by each channel's webhook, hands deliveries to dispatch workers (one io_context and
// curl multi handle each; a channel always goes to the same worker) and has every outcome
// written by the OutcomeWriter before its entry is acked. A failed attempt that may succeed
// later moves to the retry store in Redis (acked in the same transaction); a retry thread
// claims due retries and sends them with the channel's configuration of that moment. A reclaim
// thread keeps this worker's held entries fresh, takes over the entries of workers that died
// and trims acked entries (engine_recovery.cpp).
class Engine {
 public:
  // Throws std::invalid_argument when the options break a rule (checkRecoveryOptions).
  Engine(EngineOptions options, WebhookCache& webhooks);
  ~Engine();

  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Runs until requestStop(); then lets in-flight deliveries finish up to the shutdown
  // deadline and writes their outcomes. What is left unfinished stays pending in Redis and is
  // re-read by a worker with the same consumer name when it starts again.
  void run();
  // Thread-safe; returns at once.
  void requestStop();

  const EngineStats& stats() const { return stats_; }
  const std::string& consumerName() const { return options_.consumer; }
  // Entries and retries being worked on; the slots the reader holds for its next read do not
  // count until something arrives in them.
  std::size_t inFlight() const {
    const std::size_t used = gate_.used();
    const std::size_t reserved = reserved_for_read_.load();
    return used > reserved ? used - reserved : 0;  // the two are read one after the other
  }
  const CircuitBreakers& circuits() const { return circuits_; }
  // For /readyz: the last stream read worked and found the group in place, and no stop was
  // requested. Redis being unreachable shows here within one read (block time plus the
  // command timeout); the API's own PING notices it sooner. Thread-safe.
  bool ready() const { return reading_ok_.load() && !stop_requested_.load(); }

 private:
  // An entry read or reclaimed and now held here: dead-lettered when deleted or poison,
  // otherwise handled.
  void admitEntry(StreamEntry& entry);
  void handleEntry(StreamEntry& entry);
  void dispatch(DeliveryJob job);
  void onAttemptDone(DeliveryJob& job, const DeliveryResult& result);
  // Sends a job whose endpoint's circuit is open to the retry schedule without an attempt.
  void deferForOpenCircuit(DeliveryJob job, std::chrono::system_clock::time_point probe_at);
  void noteCircuitChange(const std::optional<CircuitChange>& change, Outcome& outcome);
  // The writes that move a failed job to the retry store, due at `due_ms`.
  void scheduleRetry(const DeliveryJob& job, const std::string& last_result, std::int64_t due_ms,
                     Outcome& outcome) const;
  void pollRetries();
  void startRetry(RetryItem item);
  // The writes that end a job's life in the retry store, when it came from there.
  void settle(const DeliveryJob& job, Outcome& outcome) const;
  AttemptRecord attemptRecord(const DeliveryJob& job, const DeliveryResult& result,
                              std::string_view outcome) const;
  // A dead letter of an entry of `source_stream`, this worker's or, for a retry, its shard's.
  RedisCommand deadLetterCommand(const StreamFields& fields, std::string_view source_stream,
                                 std::string_view entry_id, const DeadLetterInfo& info) const;
  void deadLetter(std::string entry_id, const StreamFields& fields, DeadLetterInfo info);
  // The reclaim thread (engine_recovery.cpp).
  void recoverLoop();
  // Each returns the failure for the loop's one throttled warning.
  Status refreshHeld(Reclaimer& reclaimer);
  Status reclaimIdle(Reclaimer& reclaimer);
  Status trimAcked(Reclaimer& reclaimer);
  void deadLetterDeleted(const std::vector<std::string>& ids);
  void pauseAfterError(int failures);
  void sleepUnlessStopped(std::chrono::milliseconds duration);

  EngineOptions options_;
  WebhookCache& webhooks_;
  EngineStats stats_;
  SlotGate gate_;
  OutcomeWriter writer_;
  std::vector<std::unique_ptr<DispatchWorker>> workers_;
  RetryPolicy retry_policy_;
  RetryStore retry_store_;
  CircuitBreakers circuits_;
  std::thread retry_thread_;
  HeldEntries held_;
  // Set once the reader has re-read this consumer's own pending entries: until then the
  // reclaim thread leaves the pending list alone, so an entry is not taken twice here.
  std::atomic<bool> own_pending_read_{false};
  std::thread recover_thread_;
  std::atomic<bool> stop_requested_{false};
  std::atomic<std::size_t> reserved_for_read_{0};
  std::atomic<bool> reading_ok_{false};
};

}  // namespace hookline
