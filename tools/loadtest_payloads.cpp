#include "tools/loadtest_payloads.hpp"

#include <nlohmann/json.hpp>

#include "tools/sample_payloads.hpp"

namespace hookline {

std::string padPayload(std::string compact_json, std::size_t bytes) {
  constexpr std::size_t kFieldOverhead = 13;  // ,"filler":""}
  if (compact_json.size() + kFieldOverhead >= bytes || compact_json.back() != '}') {
    return compact_json;
  }
  compact_json.pop_back();
  const std::size_t fill = bytes - compact_json.size() - kFieldOverhead;
  compact_json += ",\"filler\":\"" + std::string(fill, 'x') + "\"}";
  return compact_json;
}

std::vector<std::pair<EventKind, std::string>> loadtestPayloads(std::size_t bytes) {
  std::vector<std::pair<EventKind, std::string>> payloads;
  for (const auto& sample : samplePayloads()) {
    std::string compact = nlohmann::json::parse(sample.json).dump();
    if (bytes == 0) {
      if (compact.size() <= kSmallPayloadLimit) {
        payloads.emplace_back(sampleKind(sample), std::move(compact));
      }
      continue;
    }
    const EventKind kind = sampleKind(sample);
    bool have_kind = false;
    for (const auto& [listed, _] : payloads) {
      have_kind = have_kind || listed == kind;
    }
    if (!have_kind) {
      payloads.emplace_back(kind, padPayload(std::move(compact), bytes));
    }
  }
  return payloads;
}

}  // namespace hookline
