#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/expected.hpp"
#include "common/redis_link.hpp"
#include "registry/event_kind.hpp"

namespace hookline {

// What to append to the stream, as a producer would.
struct EmitPlan {
  std::vector<std::string> channels;   // used in turn
  std::optional<EventKind> kind;       // nullopt: cycle through all five kinds
  std::optional<std::string> payload;  // nullopt: the built-in samples of each kind, in turn
  // When not empty: these (kind, payload) pairs in turn, instead of `kind` and `payload`.
  std::vector<std::pair<EventKind, std::string>> events;
  std::size_t count = 1;
  double rate = 0;               // events per second; 0: as fast as Redis takes them
  bool with_occurred_at = true;  // stamp occurred_at with the time of the XADD (epoch ms)
};

// Appends the planned events with pipelined XADDs and returns how many were written. Stops
// early when `stop` becomes true. `progress` (optional) is called after each pipelined batch
// with the running total.
Expected<std::size_t> emitEvents(RedisLink& link, const std::string& stream, const EmitPlan& plan,
                                 const std::atomic<bool>* stop = nullptr,
                                 const std::function<void(std::size_t)>& progress = {});

}  // namespace hookline
