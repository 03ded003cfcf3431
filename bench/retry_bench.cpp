#include <benchmark/benchmark.h>

#include <chrono>

#include "bench/bench_payloads.hpp"
#include "dispatcher/retry_policy.hpp"
#include "engine/retry_store.hpp"

namespace hookline {
namespace {

// What the engine does when an attempt fails with 503: the policy picks the delay and the
// retry store builds the writes that park the delivery in Redis (the MULTI itself not
// included; it shares a round trip with the ack).
void BM_ScheduleRetry(benchmark::State& state) {
  auto event = parseStreamEntry("hookline:events", "1796401821123-0",
                                benchEntryFields(static_cast<std::size_t>(state.range(0))));
  if (!event) {
    state.SkipWithError(event.error().reason.c_str());
    return;
  }
  RetryItem item;
  item.id = "hookline:events/1796401821123-0";
  item.stream = "hookline:events";
  item.event = *event;
  item.attempts = 1;
  item.last_result = "http 503";
  const RetryPolicy policy(RetrySchedule{}, [] { return 0.5; });
  const RetryStore store("hookline:");
  DeliveryResult result;
  result.http_status = 503;
  result.retry_after = "7";
  const auto now = std::chrono::system_clock::now();
  const std::int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();

  for (auto _ : state) {
    const auto delay = policy.nextDelay(item.attempts, result, now);
    auto commands = store.scheduleCommands(item, now_ms + delay->count());
    benchmark::DoNotOptimize(commands);
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_ScheduleRetry)->Arg(300)->Arg(4096)->Arg(65536);

void BM_RetryPolicyOnly(benchmark::State& state) {
  const RetryPolicy policy(RetrySchedule{}, [] { return 0.5; });
  DeliveryResult result;
  result.http_status = 503;
  const auto now = std::chrono::system_clock::now();
  for (auto _ : state) {
    benchmark::DoNotOptimize(policy.nextDelay(3, result, now));
  }
}
BENCHMARK(BM_RetryPolicyOnly);

}  // namespace
}  // namespace hookline
