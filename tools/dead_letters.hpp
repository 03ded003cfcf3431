#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "common/expected.hpp"
#include "common/redis_link.hpp"
#include "engine/event.hpp"

namespace hookline {

// One entry of the dead-letter stream.
struct DeadLetterEntry {
  std::string id;
  StreamFields fields;

  std::string field(std::string_view name) const;
};

struct DeadLetterFilter {
  std::string channel;           // empty: any
  std::string reason;            // empty: any; else matches dead_reason exactly
  std::vector<std::string> ids;  // empty: any
  std::size_t limit = 1000;

  bool matches(const DeadLetterEntry& entry) const;
};

// Reads dead letters oldest first, scanning at most `scan_limit` entries.
Expected<std::vector<DeadLetterEntry>> listDeadLetters(RedisLink& link, const std::string& stream,
                                                       const DeadLetterFilter& filter,
                                                       std::size_t scan_limit = 1'000'000);

// The ids of `named` that none of `found` has, in the order named: a replay of those must say
// so rather than report success.
std::vector<std::string> missingIds(const std::vector<std::string>& named,
                                    const std::vector<DeadLetterEntry>& found);

// Appends the entry's original fields to the stream it came from, keeping its event id, and
// removes it from the dead-letter stream in the same transaction. Returns the new entry id.
Expected<std::string> replayDeadLetter(RedisLink& link, const std::string& dead_stream,
                                       const DeadLetterEntry& entry,
                                       const std::string& default_stream);

}  // namespace hookline
