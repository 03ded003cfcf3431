#include "tools/sample_payloads.hpp"

namespace hookline {

EventKind sampleKind(const SamplePayload& sample) {
  auto kind = parseEventKind(sample.name.substr(0, sample.name.find('.')));
  return kind.value_or(EventKind::MessageIncoming);
}

std::vector<SamplePayload> samplesOf(EventKind kind) {
  std::vector<SamplePayload> out;
  for (const auto& sample : samplePayloads()) {
    if (sampleKind(sample) == kind) {
      out.push_back(sample);
    }
  }
  return out;
}

}  // namespace hookline
