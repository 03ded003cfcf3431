#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "common/redis_link.hpp"
#include "common/throttled_warning.hpp"
#include "engine/event.hpp"

namespace hookline {

using RedisCommand = std::vector<std::string>;

// One line of a channel's attempt history: a JSON record pushed on the front of a capped list.
struct AttemptRecord {
  std::string list_key;
  std::string record;
};

// What to make durable for one settled attempt or entry: writes (a dead letter, a retry
// schedule), the attempt's record and the stream entry to ack. The ack always goes after what
// explains it, so an entry is never acked without its record, dead letter or retry.
struct Outcome {
  std::string ack_entry_id;  // empty: nothing to ack (a retry item settled)
  std::vector<RedisCommand> writes;
  std::optional<AttemptRecord> attempt;
  // After the writes: mark this channel's webhook disabled (the receiver answered 410).
  std::string disable_channel;
  std::string disable_reason;
};

// Writes outcomes to Redis on a thread of its own with its own link, a batch per round trip:
// - an outcome with writes runs them, its attempt record and its ack in one MULTI/EXEC;
// - the common case, an attempt record and an ack, needs no transaction: one connection runs a
//   pipeline in order, so the batch's records go first (one LPUSH and LTRIM per channel) and one
//   XACK for every entry goes last. A link lost midway leaves the entries pending, to be
//   delivered again, and never acks one whose record was not written.
// A write that fails with the link is kept and redone after a short pause, so nothing stays
// pending because Redis blinked.
class OutcomeWriter {
 public:
  struct Options {
    std::string stream = "hookline:events";
    std::string group = "hookline";
    std::string key_prefix = "hookline:";  // of the registry, to disable webhooks
    std::size_t attempt_history = 1000;    // records kept per attempt list
    std::size_t batch_size = 512;
    std::chrono::milliseconds retry_pause{250};
  };
  // Called on the writer thread after `count` outcomes became durable.
  using Written = std::function<void(std::size_t count)>;
  // Called on the writer thread with the entry ids those outcomes acked.
  using Acked = std::function<void(const std::vector<std::string>& ids)>;

  OutcomeWriter(RedisOptions redis, Options options, Written on_written);
  ~OutcomeWriter();

  OutcomeWriter(const OutcomeWriter&) = delete;
  OutcomeWriter& operator=(const OutcomeWriter&) = delete;

  // Before start().
  void onAcked(Acked acked) { on_acked_ = std::move(acked); }
  void start();
  // Thread-safe; never blocks on Redis.
  void submit(Outcome outcome);
  // Writes what was submitted, trying until `deadline` passes, then ends the thread. Outcomes
  // still unwritten stay pending in Redis and are re-read by this consumer on restart.
  void stop(std::chrono::milliseconds deadline);
  std::size_t backlog() const;

 private:
  void run();
  bool writeBatch(std::deque<Outcome>& batch);
  void appendTransaction(const Outcome& outcome);
  // Appends one LPUSH and LTRIM per list for the records, oldest first, so the newest is in front.
  void appendRecords(const std::vector<const AttemptRecord*>& records);

  RedisLink link_;
  Options options_;
  Written on_written_;
  Acked on_acked_;
  // Touched only on the writer thread.
  ThrottledWarning warning_{"outcome writer"};

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Outcome> queue_;
  bool stopping_ = false;
  std::chrono::steady_clock::time_point stop_deadline_{};
  std::thread thread_;
};

}  // namespace hookline
