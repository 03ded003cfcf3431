#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "registry/event_kind.hpp"

namespace hookline {

// Realistic WhatsApp-style payloads (tools/samples/*.json), built into the binary.
struct SamplePayload {
  std::string_view name;  // file name without .json, e.g. "message_status.read"
  std::string_view json;
};

const std::vector<SamplePayload>& samplePayloads();

// The event kind a sample belongs to, from the part of its name before the first dot.
EventKind sampleKind(const SamplePayload& sample);
// The samples of one kind, in name order.
std::vector<SamplePayload> samplesOf(EventKind kind);

}  // namespace hookline
