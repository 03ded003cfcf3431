#include "engine/envelope.hpp"

#include "engine/time_format.hpp"

namespace hookline {
namespace {

// Ids and channel ids are validated identifiers, but escape anyway so the envelope stays
// valid JSON whatever a future rule lets through.
void appendJsonString(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20) {
      out += "\\u00";
      out += kHex[byte >> 4];
      out += kHex[byte & 15];
    } else {
      out += c;
    }
  }
  out += '"';
}

}  // namespace

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
