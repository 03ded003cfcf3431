#include "engine/metrics/engine_metrics.hpp"

#include <algorithm>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>

namespace hookline {
namespace {

constexpr std::chrono::milliseconds kScrapeRedisTimeout{1000};
constexpr double kAbsent = std::numeric_limits<double>::quiet_NaN();

MetricsRegistry::Read read(const std::atomic<std::uint64_t>& counter) {
  return [&counter] { return static_cast<double>(counter.load(std::memory_order_relaxed)); };
}

void addEventCounters(MetricsRegistry& registry, const EngineStats& stats) {
  registry.counter("hookline_events_read_total", "Stream entries read or reclaimed by this worker",
                   read(stats.entries_read));
  registry.counter("hookline_events_delivered_total", "Events a receiver accepted (2xx)",
                   read(stats.delivered));
  registry.counter("hookline_events_filtered_total",
                   "Events acked without delivery: no webhook, or the kind is not subscribed",
                   read(stats.filtered));
  registry.counter("hookline_events_unsubscribed_total",
                   "Retries dropped because the channel no longer subscribes",
                   read(stats.unsubscribed));
  registry.counter("hookline_retries_scheduled_total", "Events moved to the retry store",
                   read(stats.retries_scheduled), {{"cause", "failed_attempt"}});
  registry.counter("hookline_retries_scheduled_total", "", read(stats.circuit_deferred),
                   {{"cause", "circuit_open"}});
  registry.counter("hookline_events_dead_lettered_total",
                   "Events written to the dead-letter stream", read(stats.dead_lettered));
  const std::pair<const char*, const std::atomic<std::uint64_t>*> reasons[] = {
      {"invalid", &stats.invalid},
      {"rejected", &stats.rejected},
      {"exhausted", &stats.exhausted},
      {"gone", &stats.webhooks_disabled},
      {"blocked", &stats.blocked},
      {"poison", &stats.poison},
      {"deleted", &stats.deleted_before_delivery}};
  for (const auto& [reason, counter] : reasons) {
    registry.counter("hookline_dead_letters_by_reason_total", "Dead letters by reason",
                     read(*counter), {{"reason", reason}});
  }
  registry.counter("hookline_events_blocked_total",
                   "Attempts the address guard refused (dead-lettered as blocked)",
                   read(stats.blocked));
  registry.counter("hookline_entries_reclaimed_total", "Entries taken over from idle consumers",
                   read(stats.reclaimed));
  registry.counter("hookline_entries_trimmed_total", "Acked entries removed from the stream",
                   read(stats.trimmed));
  registry.counter("hookline_redis_errors_total", "Failed Redis reads of the engine",
                   read(stats.redis_errors));
}

// Attempts by outcome, derived from the event counters: every failed attempt is either
// retried, dead-lettered or blocked.
void addAttemptCounters(MetricsRegistry& registry, const EngineStats& stats) {
  const char* help = "Delivery attempts that reached the dispatcher, by outcome";
  registry.counter("hookline_attempts_total", help, read(stats.delivered),
                   {{"outcome", "delivered"}});
  registry.counter("hookline_attempts_total", help, read(stats.retries_scheduled),
                   {{"outcome", "retry"}});
  registry.counter("hookline_attempts_total", help, read(stats.blocked), {{"outcome", "blocked"}});
  registry.counter("hookline_attempts_total", help,
                   [&stats] {
                     const auto failed = stats.attempts_failed.load();
                     const auto other = stats.retries_scheduled.load() + stats.blocked.load();
                     return static_cast<double>(failed > other ? failed - other : 0);
                   },
                   {{"outcome", "dead"}});
  registry.histogram("hookline_attempt_duration_seconds",
                     "Time of one attempt, from hand-off to the network until its end",
                     stats.attempt_seconds);
  registry.histogram("hookline_delivery_latency_seconds",
                     "From an event's occurred_at until a receiver accepted it, retries included",
                     stats.delivery_latency_seconds);
}

double circuitsIn(const Engine& engine, CircuitState state) {
  const auto open = engine.circuits().openCircuits();
  return static_cast<double>(std::count_if(
      open.begin(), open.end(), [state](const CircuitChange& c) { return c.state == state; }));
}

struct QueueScrape {
  explicit QueueScrape(RedisOptions options) : link(std::move(options)) {}
  RedisLink link;
  std::optional<QueueSnapshot> last;  // nullopt when the last read failed
};

RedisOptions scrapeOptions(RedisOptions options) {
  options.connect_timeout = std::min(options.connect_timeout, kScrapeRedisTimeout);
  options.command_timeout = std::min(options.command_timeout, kScrapeRedisTimeout);
  return options;
}

}  // namespace

void addEngineMetrics(MetricsRegistry& registry, const Engine& engine) {
  addEventCounters(registry, engine.stats());
  addAttemptCounters(registry, engine.stats());
  registry.gauge("hookline_in_flight", "Entries and retries held by this worker without an outcome",
                 [&engine] { return static_cast<double>(engine.inFlight()); });
  registry.gauge("hookline_circuits", "Endpoints whose circuit is not closed, by state",
                 [&engine] { return circuitsIn(engine, CircuitState::Open); }, {{"state", "open"}});
  registry.gauge("hookline_circuits", "",
                 [&engine] { return circuitsIn(engine, CircuitState::HalfOpen); },
                 {{"state", "half_open"}});
}

void addQueueMetrics(MetricsRegistry& registry, RedisOptions redis, QueueNames names) {
  auto scrape = std::make_shared<QueueScrape>(scrapeOptions(std::move(redis)));
  registry.collector([scrape, names] {
    auto snapshot = readQueueSnapshot(scrape->link, names);
    scrape->last = snapshot ? std::optional(std::move(snapshot).value()) : std::nullopt;
  });
  const auto value = [scrape](auto field) {
    return [scrape, field] {
      return scrape->last ? static_cast<double>((*scrape->last).*field) : kAbsent;
    };
  };
  registry.gauge("hookline_redis_up", "1 when this scrape could read the queues from Redis",
                 [scrape] { return scrape->last ? 1.0 : 0.0; });
  registry.gauge("hookline_stream_length", "Entries in the event stream (XLEN)",
                 value(&QueueSnapshot::stream_length));
  registry.gauge("hookline_stream_lag",
                 "Entries not yet read by the consumer group (absent when Redis cannot tell)",
                 [scrape] {
                   return scrape->last && scrape->last->group_lag
                              ? static_cast<double>(*scrape->last->group_lag)
                              : kAbsent;
                 });
  registry.gauge("hookline_stream_pending",
                 "Entries read by a consumer of the group and not yet acked",
                 value(&QueueSnapshot::group_pending));
  registry.gauges("hookline_consumer_pending", "Pending entries per consumer of the group",
                  [scrape] {
                    std::vector<std::pair<MetricLabels, double>> samples;
                    if (scrape->last) {
                      for (const auto& consumer : scrape->last->consumers) {
                        samples.push_back(
                            {{{"consumer", consumer.name}}, static_cast<double>(consumer.pending)});
                      }
                    }
                    return samples;
                  });
  registry.gauge("hookline_retries_waiting", "Deliveries waiting in the retry store",
                 value(&QueueSnapshot::retries_waiting));
  registry.gauge("hookline_dead_letters", "Entries in the dead-letter stream",
                 value(&QueueSnapshot::dead_letters));
}

void addProcessMetrics(MetricsRegistry& registry) {
  registry.gauge("hookline_build_info", "Always 1; the version as a label", [] { return 1.0; },
                 {{"version", HOOKLINE_VERSION}});
  registry.counter("hookline_redis_reconnects_total",
                   "Redis links of this process that came back after failing",
                   [] { return static_cast<double>(redisReconnects()); });
}

}  // namespace hookline
