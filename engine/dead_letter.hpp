#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/event.hpp"

namespace hookline {

// Why an event ends in the dead-letter stream, and what was tried before.
struct DeadLetterInfo {
  std::string reason;  // e.g. "invalid entry", "rejected by receiver"
  std::string field;   // the entry field at fault, when a field is
  std::string detail;  // the parser's reason or the last result ("http 403")
  int attempts = 0;    // delivery attempts made
  // How often the consumer group handed the entry out, when that is why it ends here (poison).
  long long deliveries = 0;
};

// The fields of a dead-letter entry: the original entry's fields as they were (so a replay
// re-drives exactly what the producer wrote), then dead_* fields describing the failure.
StreamFields deadLetterFields(const StreamFields& original, std::string_view source_stream,
                              std::string_view source_id, const DeadLetterInfo& info,
                              std::int64_t now_ms);

// The entry fields of a valid event, for dead-lettering an event after it was parsed.
StreamFields eventFields(const Event& event);

}  // namespace hookline
