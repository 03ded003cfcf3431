#include "tools/loadtest_retries.hpp"

#include <algorithm>

#include "engine/retry_store.hpp"

namespace hookline {
namespace {

constexpr std::size_t kChunk = 1000;  // commands per round trip

}  // namespace

Status fillWaitingRetries(RedisLink& link, const std::string& key_prefix,
                          const std::string& channel_id, std::size_t count, std::int64_t due_ms) {
  const RetryStore store(key_prefix);
  const std::string stream = key_prefix + "waiting";
  for (std::size_t start = 0; start < count; start += kChunk) {
    const std::size_t end = std::min(count, start + kChunk);
    for (std::size_t i = start; i < end; ++i) {
      const std::string entry_id = "1700000000000-" + std::to_string(i);
      RetryItem item{
          .id = stream + "/" + entry_id,
          .stream = stream,
          .event = Event{.entry_id = entry_id,
                         .event_id = "evt_waiting_" + std::to_string(i),
                         .kind = EventKind::MessageStatus,
                         .channel_id = channel_id,
                         .payload = R"({"statuses":[{"id":"wamid.waiting","status":"sent"}]})",
                         .occurred_at_ms = 1700000000000},
          .attempts = 3,
          .last_result = "http 503"};
      for (const auto& command : store.scheduleCommands(item, due_ms)) {
        link.append(command);
      }
    }
    auto replies = link.flush();
    if (!replies) {
      return replies.error();
    }
    for (const auto& reply : *replies) {
      if (isErrorReply(reply.get())) {
        return Error{"filling the retry store: " + replyString(reply.get())};
      }
    }
  }
  return {};
}

}  // namespace hookline
