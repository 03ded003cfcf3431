#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "common/expected.hpp"
#include "common/redis_link.hpp"

namespace hookline {

// Fills the retry store under `key_prefix` with `count` retries of `channel_id`, every one due
// at `due_ms`, as if that many failed deliveries were waiting out their backoff. The load test
// puts them far in the future to show that a large retry backlog costs the engine neither
// memory nor speed: only due retries are ever read. Pipelined in chunks; stops at the first
// error Redis reports.
Status fillWaitingRetries(RedisLink& link, const std::string& key_prefix,
                          const std::string& channel_id, std::size_t count, std::int64_t due_ms);

}  // namespace hookline
