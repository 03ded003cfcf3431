// Fuzzes the stream-entry parser, parseStreamEntry (engine/event.hpp).
//
// Input format, so seeds stay readable: fields separated by a line "--", each field "name=value"
// split at the first '='; a field without '=' has an empty value. Every input is parsed under
// the default limits and under tight ones.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "engine/event.hpp"
#include "fuzz/fuzz_check.hpp"
#include "registry/event_kind.hpp"

namespace {

using hookline::EntryLimits;
using hookline::StreamFields;

constexpr std::string_view kStream = "hookline:events";
constexpr std::string_view kEntryId = "1733331021000-0";
constexpr std::size_t kMaxIdBytes = 128;

StreamFields splitFields(std::string_view input) {
  StreamFields fields;
  constexpr std::string_view kSeparator = "\n--\n";
  while (true) {
    const auto end = input.find(kSeparator);
    const auto record = input.substr(0, end);
    const auto equals = record.find('=');
    fields.emplace_back(
        std::string(record.substr(0, equals)),
        equals == std::string_view::npos ? std::string() : std::string(record.substr(equals + 1)));
    if (end == std::string_view::npos) {
      return fields;
    }
    input.remove_prefix(end + kSeparator.size());
  }
}

// The value of the first field called `name`, or nullptr.
const std::string* fieldValue(const StreamFields& fields, std::string_view name) {
  for (const auto& [field, value] : fields) {
    if (field == name) {
      return &value;
    }
  }
  return nullptr;
}

// Parses under `limits` and checks what every accepted entry must be; true when accepted.
bool checkOne(const StreamFields& fields, const EntryLimits& limits) {
  const auto parsed = hookline::parseStreamEntry(kStream, kEntryId, fields, limits);
  if (!parsed) {
    const auto& rejection = parsed.error();
    FUZZ_CHECK(!rejection.reason.empty());
    // A rejection echoes at most a cut-down type name, never a whole hostile field.
    FUZZ_CHECK(rejection.reason.size() <= limits.max_field_bytes + 256);
    return false;
  }

  const auto& event = *parsed;
  FUZZ_CHECK(!fields.empty() && fields.size() <= limits.max_fields);
  FUZZ_CHECK(event.entry_id == kEntryId);

  const std::string* type = fieldValue(fields, "type");
  FUZZ_CHECK(type != nullptr && *type == hookline::eventKindName(event.kind));
  const std::string* channel = fieldValue(fields, "channel_id");
  FUZZ_CHECK(channel != nullptr && *channel == event.channel_id);
  FUZZ_CHECK(hookline::isIdentifier(event.channel_id, kMaxIdBytes, true));

  // The payload is the producer's text byte for byte, within the limit, and a JSON object.
  const std::string* payload = fieldValue(fields, "payload");
  FUZZ_CHECK(payload != nullptr && *payload == event.payload);
  FUZZ_CHECK(event.payload.size() <= limits.max_payload_bytes);
  const auto json = nlohmann::json::parse(event.payload, nullptr, /*allow_exceptions=*/false);
  FUZZ_CHECK(json.is_object());

  if (const std::string* event_id = fieldValue(fields, "event_id")) {
    FUZZ_CHECK(event.event_id == *event_id);
  } else {
    FUZZ_CHECK(event.event_id == hookline::deriveEventId(kStream, kEntryId));
  }
  FUZZ_CHECK(hookline::isIdentifier(event.event_id, kMaxIdBytes, false));

  if (fieldValue(fields, "occurred_at") == nullptr) {
    FUZZ_CHECK(event.occurred_at_ms == hookline::entryIdMillis(kEntryId));
  } else {
    FUZZ_CHECK(event.occurred_at_ms >= 946684800000 && event.occurred_at_ms < 4102444800000);
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const StreamFields fields =
      splitFields(std::string_view(reinterpret_cast<const char*>(data), size));

  const EntryLimits roomy{};
  const EntryLimits tight{.max_payload_bytes = 64, .max_fields = 4, .max_field_bytes = 16};
  const bool accepted_roomy = checkOne(fields, roomy);
  const bool accepted_tight = checkOne(fields, tight);
  // Tighter limits only ever refuse more.
  FUZZ_CHECK(!accepted_tight || accepted_roomy);
  return 0;
}
