#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/expected.hpp"
#include "common/redis_link.hpp"
#include "engine/event.hpp"

namespace hookline {

// A delivery waiting in Redis for its next attempt.
struct RetryItem {
  std::string id;  // "<stream>/<entry id>": one per stream entry
  std::string stream;
  Event event;
  int attempts = 0;         // attempts made so far
  std::string last_result;  // "http 503", "network: ..."
};

using RedisCommand = std::vector<std::string>;

// The retry store: a sorted set of item ids by due time (epoch ms) and a hash of the items.
// Waiting retries live only here, never in process memory, so a crash loses nothing and memory
// stays flat however long an endpoint is down. The writes are returned as commands so the
// caller can run them in the same MULTI as the stream ack or the dead letter they belong to.
// TODO: a configurable cap on waiting items (dead-letter what does not fit), so that "every size
// has a limit" holds here too; today it is bounded only by the events of failing endpoints.
class RetryStore {
 public:
  explicit RetryStore(std::string key_prefix);

  std::vector<RedisCommand> scheduleCommands(const RetryItem& item, std::int64_t due_ms) const;
  std::vector<RedisCommand> removeCommands(std::string_view id) const;

  // Claims up to `max` items due at now_ms in one atomic script. Each claimed item's due time
  // moves `lease` ahead, so if this worker dies before settling it, another picks it up then.
  Expected<std::vector<RetryItem>> claimDue(RedisLink& link, std::size_t max, std::int64_t now_ms,
                                            std::chrono::milliseconds lease) const;

  Expected<long long> waitingCount(RedisLink& link) const;
  // The earliest due time, or nullopt when nothing waits.
  Expected<std::optional<std::int64_t>> earliestDue(RedisLink& link) const;

  const std::string& dueKey() const { return due_key_; }
  const std::string& itemsKey() const { return items_key_; }

  static std::string encode(const RetryItem& item);
  static Expected<RetryItem> decode(std::string_view id, std::string_view text);

 private:
  std::string due_key_;
  std::string items_key_;
};

}  // namespace hookline
