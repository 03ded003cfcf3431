#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/expected.hpp"
#include "common/redis_link.hpp"

namespace hookline {

// Where the engine keeps its queues in Redis (the engine's and the CLI's common options).
struct QueueNames {
  std::string stream = "hookline:events";
  std::string group = "hookline";
  std::string dead_letter_stream = "hookline:dead";
  std::string key_prefix = "hookline:";
};

struct ConsumerPending {
  std::string name;
  long long pending = 0;
  long long idle_ms = 0;  // since the consumer's last read or claim
};

// The queues as Redis sees them at one moment: shared by every worker on the stream, so any
// worker's /metrics and `hookline status` report the same numbers.
struct QueueSnapshot {
  long long stream_length = 0;
  bool group_exists = false;
  long long group_pending = 0;  // read by some consumer, not yet acked
  // Entries not yet read by the group; nullopt when Redis cannot tell (after XDEL or XTRIM of
  // unread entries; see XINFO GROUPS).
  std::optional<long long> group_lag;
  std::vector<ConsumerPending> consumers;
  long long retries_waiting = 0;
  long long dead_letters = 0;
};

// Reads XLEN, XINFO GROUPS, XINFO CONSUMERS, the retry store's ZCARD and the dead-letter
// stream's XLEN. A missing stream or group is not an error (nothing was produced yet).
Expected<QueueSnapshot> readQueueSnapshot(RedisLink& link, const QueueNames& names);

// The value of `field` in a flat [name, value, name, value ...] reply (XINFO's map in RESP2).
const redisReply* replyField(const redisReply* map, std::string_view field);

}  // namespace hookline
