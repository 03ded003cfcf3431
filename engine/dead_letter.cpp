#include "engine/dead_letter.hpp"

#include "engine/time_format.hpp"

namespace hookline {

StreamFields deadLetterFields(const StreamFields& original, std::string_view source_stream,
                              std::string_view source_id, const DeadLetterInfo& info,
                              std::int64_t now_ms) {
  StreamFields fields = original;
  fields.emplace_back("dead_reason", info.reason);
  if (!info.field.empty()) {
    fields.emplace_back("dead_field", info.field);
  }
  if (!info.detail.empty()) {
    fields.emplace_back("dead_detail", info.detail);
  }
  fields.emplace_back("dead_attempts", std::to_string(info.attempts));
  if (info.deliveries > 0) {
    fields.emplace_back("dead_deliveries", std::to_string(info.deliveries));
  }
  fields.emplace_back("dead_source_stream", std::string(source_stream));
  fields.emplace_back("dead_source_id", std::string(source_id));
  fields.emplace_back("dead_at", formatRfc3339Millis(now_ms));
  return fields;
}

StreamFields eventFields(const Event& event) {
  return {{"type", std::string(eventKindName(event.kind))},
          {"channel_id", event.channel_id},
          {"payload", event.payload},
          {"event_id", event.event_id},
          {"occurred_at", std::to_string(event.occurred_at_ms)}};
}

}  // namespace hookline
