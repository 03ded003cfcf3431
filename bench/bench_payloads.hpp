#pragma once

#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/event.hpp"
#include "tools/loadtest_payloads.hpp"
#include "tools/sample_payloads.hpp"

namespace hookline {

// A message-status sample, compacted and padded to about `bytes`, so sizes from 300 B to
// 64 KiB keep a realistic shape.
inline std::string benchPayload(std::size_t bytes) {
  const auto sample = samplesOf(EventKind::MessageStatus).front();
  return padPayload(nlohmann::json::parse(sample.json).dump(), bytes);
}

inline StreamFields benchEntryFields(std::size_t bytes) {
  return {{"type", "message_status"},
          {"channel_id", "ch_bench"},
          {"payload", benchPayload(bytes)},
          {"occurred_at", "1796401821123"}};
}

}  // namespace hookline
