#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "common/expected.hpp"
#include "common/redis_link.hpp"
#include "engine/stream_reader.hpp"

namespace hookline {

// How workers recover each other's entries and keep the stream small (docs/reliability.md).
struct RecoveryOptions {
  // An entry pending this long without news from its consumer is taken over by another worker.
  std::chrono::milliseconds reclaim_idle{60000};
  std::size_t reclaim_batch = 100;  // entries per XAUTOCLAIM call
  // An entry handed out more often than this is dead-lettered as poison instead of tried again.
  int max_deliveries = 5;
  // Remove entries every group has acked (XTRIM MINID ~) every trim_interval.
  bool trim_acked = true;
  std::chrono::milliseconds trim_interval{5000};
};

// The margin the reclaim idle time must keep over one attempt: a live worker refreshes its
// entries every reclaim_idle / 4, and even if it could not, no attempt it started can still be
// running when another worker takes the entry over.
std::chrono::milliseconds minimumReclaimIdle(std::chrono::milliseconds attempt_limit);
// An Error naming the options when the reclaim idle time is too short for the attempt limit.
Status checkRecoveryOptions(const RecoveryOptions& options,
                            std::chrono::milliseconds attempt_limit);

// The Redis side of recovery for one consumer: refreshing its own entries, claiming the idle
// entries of others, trimming acked entries. Not thread-safe; the engine's reclaim thread owns
// it and its link.
class Reclaimer {
 public:
  struct Options {
    std::string stream;
    std::string group;
    std::string consumer;
  };

  // What one claim pass took over.
  struct Claimed {
    std::vector<StreamEntry> entries;  // with their delivery counts
    // Entries that were pending but no longer in the stream; Redis already dropped them from
    // the pending list when it listed them here.
    std::vector<std::string> deleted_ids;
  };

  Reclaimer(RedisLink& link, Options options);

  // Resets the idle time of those `ids` this consumer still owns, without counting a delivery
  // (XCLAIM ... JUSTID). An id another worker took meanwhile stays with it. Returns how many
  // were refreshed.
  Expected<std::size_t> refresh(const std::vector<std::string>& ids);

  // Claims entries idle longer than `min_idle` (XAUTOCLAIM) until `max` are taken or the
  // pending list has been walked once; the cursor carries over to the next call.
  Expected<Claimed> claimIdle(std::size_t max, std::chrono::milliseconds min_idle);

  // Trims the entries below the oldest entry any group still needs; returns how many went.
  Expected<long long> trimAcked();

 private:
  Status parseAutoclaim(const redisReply* reply, Claimed& claimed, std::string& cursor) const;

  RedisLink& link_;
  Options options_;
  std::string cursor_ = "0-0";
};

}  // namespace hookline
