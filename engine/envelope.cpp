#include "engine/envelope.hpp"

#include "common/json_text.hpp"
#include "engine/time_format.hpp"

namespace hookline {

// Ids and channel ids are validated identifiers, but are escaped anyway so the envelope stays
// valid JSON whatever a future rule lets through; the payload was validated as a JSON object.
void buildEnvelope(const Event& event, std::string& out) {
  out.clear();
  out.reserve(event.payload.size() + event.event_id.size() + event.channel_id.size() + 128);
  out += "{\"id\":";
  appendJsonString(out, event.event_id);
  out += ",\"type\":";
  appendJsonString(out, eventKindName(event.kind));
  out += ",\"channel_id\":";
  appendJsonString(out, event.channel_id);
  out += ",\"occurred_at\":";
  appendJsonString(out, formatRfc3339Millis(event.occurred_at_ms));
  out += ",\"data\":";
  out += event.payload;
  out += '}';
}

std::string buildEnvelope(const Event& event) {
  std::string out;
  buildEnvelope(event, out);
  return out;
}

}  // namespace hookline
