#include "engine/event.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <optional>

#include "common/crypto.hpp"
#include "engine/time_format.hpp"

namespace hookline {
namespace {

constexpr std::size_t kMaxChannelIdBytes = 128;
constexpr std::size_t kMaxEventIdBytes = 128;
// Epoch milliseconds accepted for occurred_at: 2000-01-01 up to 2100-01-01.
constexpr std::int64_t kMinOccurredAtMs = 946684800000;
constexpr std::int64_t kMaxOccurredAtMs = 4102444800000;

struct KnownFields {
  const std::string* type = nullptr;
  const std::string* channel_id = nullptr;
  const std::string* payload = nullptr;
  const std::string* event_id = nullptr;
  const std::string* occurred_at = nullptr;
};

// A pointer into `known` for a field this parser reads, or nullptr for an unknown one.
const std::string** slotFor(KnownFields& known, std::string_view name) {
  if (name == "type") {
    return &known.type;
  }
  if (name == "channel_id") {
    return &known.channel_id;
  }
  if (name == "payload") {
    return &known.payload;
  }
  if (name == "event_id") {
    return &known.event_id;
  }
  if (name == "occurred_at") {
    return &known.occurred_at;
  }
  return nullptr;
}

std::optional<std::int64_t> parseOccurredAt(std::string_view text) {
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos) {
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) {
      return std::nullopt;
    }
    return value;
  }
  return parseRfc3339Millis(text);
}

// Why `text` is not the text of one JSON object, or "" when it is.
std::string_view jsonObjectProblem(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || text[first] != '{') {
    return "must be a JSON object";
  }
  if (!nlohmann::json::accept(text)) {
    return "is not valid JSON (RFC 8259 text in UTF-8: check for truncation, trailing text, "
           "raw control characters or bytes that are not UTF-8)";
  }
  return {};
}

}  // namespace

bool isIdentifier(std::string_view text, std::size_t max_length, bool allow_dot) {
  if (text.empty() || text.size() > max_length) {
    return false;
  }
  for (char c : text) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || (allow_dot && c == '.');
    if (!ok) {
      return false;
    }
  }
  return true;
}

std::string deriveEventId(std::string_view stream, std::string_view entry_id) {
  std::string material;
  material.reserve(stream.size() + 1 + entry_id.size());
  material.append(stream).append("/").append(entry_id);
  return "evt_" + crypto::sha256Hex(material).substr(0, 32);
}

std::int64_t entryIdMillis(std::string_view entry_id) {
  std::int64_t value = 0;
  std::from_chars(entry_id.data(), entry_id.data() + entry_id.size(), value);
  return value;
}

Expected<Event, EntryRejection> parseStreamEntry(std::string_view stream, std::string_view entry_id,
                                                 const StreamFields& fields,
                                                 const EntryLimits& limits) {
  if (fields.empty()) {
    return EntryRejection{"", "entry has no fields (deleted or trimmed before delivery)"};
  }
  if (fields.size() > limits.max_fields) {
    return EntryRejection{"", "entry has " + std::to_string(fields.size()) +
                                  " fields, more than the limit of " +
                                  std::to_string(limits.max_fields)};
  }

  KnownFields known;
  for (const auto& [name, value] : fields) {
    const std::string** slot = slotFor(known, name);
    if (slot == nullptr) {
      continue;
    }
    if (*slot != nullptr) {
      return EntryRejection{name, "field appears more than once"};
    }
    *slot = &value;
  }

  if (known.type == nullptr) {
    return EntryRejection{"type", "required field is missing"};
  }
  auto kind = parseEventKind(*known.type);
  if (!kind) {
    std::string shown = known.type->substr(0, limits.max_field_bytes);
    return EntryRejection{"type", "unknown event type '" + shown +
                                      "' (expected message_incoming, message_outgoing, "
                                      "message_status, template_update or channel_update)"};
  }

  if (known.channel_id == nullptr) {
    return EntryRejection{"channel_id", "required field is missing"};
  }
  if (!isIdentifier(*known.channel_id, kMaxChannelIdBytes, true)) {
    return EntryRejection{"channel_id", "must be 1 to 128 letters, digits, '_', '-' or '.'"};
  }

  if (known.payload == nullptr) {
    return EntryRejection{"payload", "required field is missing"};
  }
  if (known.payload->size() > limits.max_payload_bytes) {
    return EntryRejection{"payload", "is " + std::to_string(known.payload->size()) +
                                         " bytes, over the limit of " +
                                         std::to_string(limits.max_payload_bytes)};
  }
  if (const std::string_view problem = jsonObjectProblem(*known.payload); !problem.empty()) {
    return EntryRejection{"payload", std::string(problem)};
  }

  Event event;
  event.entry_id = std::string(entry_id);
  event.kind = *kind;
  event.channel_id = *known.channel_id;
  event.payload = *known.payload;

  if (known.event_id != nullptr) {
    if (!isIdentifier(*known.event_id, kMaxEventIdBytes, false)) {
      return EntryRejection{"event_id", "must be 1 to 128 letters, digits, '_' or '-'"};
    }
    event.event_id = *known.event_id;
  } else {
    event.event_id = deriveEventId(stream, entry_id);
  }

  if (known.occurred_at != nullptr) {
    auto when = parseOccurredAt(*known.occurred_at);
    if (!when || *when < kMinOccurredAtMs || *when >= kMaxOccurredAtMs) {
      return EntryRejection{"occurred_at",
                            "must be epoch milliseconds or an RFC 3339 time between 2000 "
                            "and 2100"};
    }
    event.occurred_at_ms = *when;
  } else {
    event.occurred_at_ms = entryIdMillis(entry_id);
  }
  return event;
}

}  // namespace hookline
