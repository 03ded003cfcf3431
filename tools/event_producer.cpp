#include "tools/event_producer.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

#include "tools/sample_payloads.hpp"

namespace hookline {
namespace {

constexpr std::size_t kPipelineDepth = 256;

std::int64_t nowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Expected<std::size_t> emitEvents(RedisLink& link, const std::string& stream, const EmitPlan& plan,
                                 const std::atomic<bool>* stop,
                                 const std::function<void(std::size_t)>& progress) {
  if (plan.channels.empty()) {
    return Error{"no channel to emit to"};
  }
  std::vector<std::vector<SamplePayload>> samples_by_kind;
  for (EventKind kind : kAllEventKinds) {
    samples_by_kind.push_back(samplesOf(kind));
  }

  const auto started = std::chrono::steady_clock::now();
  std::size_t written = 0;
  while (written < plan.count && !(stop && stop->load())) {
    // With a rate, send what is due now (at most one pipeline) and sleep until the next one.
    std::size_t batch = std::min(kPipelineDepth, plan.count - written);
    if (plan.rate > 0) {
      const double elapsed =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      const auto due = static_cast<std::size_t>(elapsed * plan.rate) + 1;
      if (due <= written) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        continue;
      }
      batch = std::min(batch, due - written);
    }

    for (std::size_t i = 0; i < batch; ++i) {
      const std::size_t n = written + i;
      EventKind kind = plan.kind.value_or(kAllEventKinds[n % kAllEventKinds.size()]);
      std::string payload;
      if (!plan.events.empty()) {
        const auto& [listed_kind, listed_payload] = plan.events[n % plan.events.size()];
        kind = listed_kind;
        payload = listed_payload;
      } else {
        const auto& samples = samples_by_kind[static_cast<std::size_t>(kind)];
        payload = plan.payload
                      ? *plan.payload
                      : std::string(samples[(n / kAllEventKinds.size()) % samples.size()].json);
      }
      std::vector<std::string> args = {"XADD",
                                       stream,
                                       "*",
                                       "type",
                                       std::string(eventKindName(kind)),
                                       "channel_id",
                                       plan.channels[n % plan.channels.size()],
                                       "payload",
                                       payload};
      if (plan.with_occurred_at) {
        args.push_back("occurred_at");
        args.push_back(std::to_string(nowMillis()));
      }
      link.append(args);
    }
    auto replies = link.flush();
    if (!replies) {
      return Error{"XADD failed after " + std::to_string(written) +
                   " events: " + replies.error().message};
    }
    for (const auto& reply : *replies) {
      if (isErrorReply(reply.get())) {
        return Error{"XADD refused: " + replyString(reply.get())};
      }
    }
    written += batch;
    if (progress) {
      progress(written);
    }
  }
  return written;
}

}  // namespace hookline
