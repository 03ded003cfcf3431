#pragma once

#include "common/redis_link.hpp"
#include "engine/engine.hpp"
#include "engine/metrics/metrics_registry.hpp"
#include "engine/metrics/queue_snapshot.hpp"

namespace hookline {

// The metrics docs/operations.md describes, all named hookline_*. No per-channel or
// per-endpoint labels: their number is up to the customers. Consumer names label the pending
// gauge because the operator chooses them (one per worker).

// Counters, histograms and gauges of this process's engine, which must outlive the registry.
void addEngineMetrics(MetricsRegistry& registry, const Engine& engine);

// The shared queues (stream, group, retry store, dead letters), read from Redis once per
// scrape through a link of the registry's own, with short timeouts; while Redis cannot be
// read, hookline_redis_up is 0 and these gauges are left out. A scrape thus waits on Redis,
// for up to a second per command while it is unreachable: render() belongs on a thread that
// may wait, such as the API server's metrics worker (never one of its io threads).
void addQueueMetrics(MetricsRegistry& registry, RedisOptions redis, QueueNames names);

// What every hookline process reports: build info and Redis reconnects.
void addProcessMetrics(MetricsRegistry& registry);

}  // namespace hookline
