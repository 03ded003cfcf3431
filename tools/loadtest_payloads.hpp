#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "registry/event_kind.hpp"

namespace hookline {

// Payloads compacted from the built-in samples are ~230 to ~880 bytes; by default the load
// test sends the ones up to this size, ~290 bytes on average, like a typical status update.
inline constexpr std::size_t kSmallPayloadLimit = 350;

// The (kind, payload) pairs the load test sends in turn: with bytes == 0 every compacted
// sample of at most kSmallPayloadLimit bytes; otherwise one sample of each kind, padded with a
// filler field (or left as is when larger) to about `bytes`.
std::vector<std::pair<EventKind, std::string>> loadtestPayloads(std::size_t bytes);

// A sample payload padded with a filler field to about `bytes` (unchanged when it is larger).
std::string padPayload(std::string compact_json, std::size_t bytes);

}  // namespace hookline
