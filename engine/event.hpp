#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/expected.hpp"
#include "registry/event_kind.hpp"

namespace hookline {

// A stream entry's field/value pairs, in the order Redis returned them.
using StreamFields = std::vector<std::pair<std::string, std::string>>;

// Limits on what a producer may write into one entry (DESIGN.md section 2).
struct EntryLimits {
  std::size_t max_payload_bytes = 256 * 1024;
  std::size_t max_fields = 32;
  std::size_t max_field_bytes = 128;  // id-like fields: channel_id, event_id, type
};

// One valid event, ready to be delivered.
struct Event {
  std::string entry_id;  // the stream entry id, e.g. "1733331021000-0"
  std::string event_id;  // the producer's event_id, or one derived from stream and entry id
  EventKind kind = EventKind::MessageIncoming;
  std::string channel_id;
  std::string payload;  // the producer's JSON object text, byte for byte
  std::int64_t occurred_at_ms = 0;
};

// Why an entry was refused: the field at fault and a reason an operator can act on.
struct EntryRejection {
  std::string field;
  std::string reason;
};

// Validates one stream entry against DESIGN.md section 2. Unknown extra fields are ignored
// so producers can add their own; duplicated known fields are refused.
Expected<Event, EntryRejection> parseStreamEntry(std::string_view stream, std::string_view entry_id,
                                                 const StreamFields& fields,
                                                 const EntryLimits& limits = {});

// The event id used when the producer gives none: stable for one entry of one stream, so
// every attempt and every re-read of the entry carries the same webhook-id.
std::string deriveEventId(std::string_view stream, std::string_view entry_id);

// The millisecond part of a stream entry id ("1733331021000-0" -> 1733331021000).
std::int64_t entryIdMillis(std::string_view entry_id);

// True for the identifier alphabet shared by channel and event ids: letters, digits, '_', '-'
// (and '.' when allow_dot), non-empty and at most max_length bytes.
bool isIdentifier(std::string_view text, std::size_t max_length, bool allow_dot);

}  // namespace hookline
