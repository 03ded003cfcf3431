#pragma once

#include <atomic>
#include <cstdint>

#include "engine/metrics/histogram.hpp"

namespace hookline {

// Counters of what the engine did since it started; read from any thread.
struct EngineStats {
  std::atomic<std::uint64_t> entries_read{0};
  std::atomic<std::uint64_t> delivered{0};
  std::atomic<std::uint64_t> filtered{0};       // no webhook, or the kind is not subscribed
  std::atomic<std::uint64_t> invalid{0};        // malformed entries, dead-lettered
  std::atomic<std::uint64_t> dead_lettered{0};  // every dead letter, invalid ones included
  std::atomic<std::uint64_t> attempts_failed{0};
  std::atomic<std::uint64_t> retries_scheduled{0};
  std::atomic<std::uint64_t> unsubscribed{0};  // a retry whose channel no longer wants it
  std::atomic<std::uint64_t> webhooks_disabled{0};
  std::atomic<std::uint64_t> circuit_deferred{0};  // sent to the retry schedule, circuit open
  std::atomic<std::uint64_t> blocked{0};  // attempts the address guard refused, dead-lettered
  std::atomic<std::uint64_t> redis_errors{0};
  std::atomic<std::uint64_t> reclaimed{0};  // entries taken over from an idle consumer
  std::atomic<std::uint64_t> poison{0};     // handed out more than --max-deliveries times
  std::atomic<std::uint64_t> deleted_before_delivery{0};  // gone from the stream while pending
  std::atomic<std::uint64_t> trimmed{0};                  // acked entries removed from the stream
  // Dead letters by reason, beside the ones above (invalid, blocked, poison, deleted, and
  // webhooks_disabled for 410): the receiver refused, or the retry schedule ran out.
  std::atomic<std::uint64_t> rejected{0};
  std::atomic<std::uint64_t> exhausted{0};
  // Seconds per attempt that reached the network, and from an event's occurred_at to its
  // successful delivery (/metrics).
  Histogram attempt_seconds{attemptDurationBuckets()};
  Histogram delivery_latency_seconds{deliveryLatencyBuckets()};
};

}  // namespace hookline
