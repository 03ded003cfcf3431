#include "tests/faults/delivery_ledger.hpp"

#include <sstream>

namespace hookline::testing {

std::string FaultSummary::line() const {
  std::ostringstream out;
  out << "fault scenario=" << scenario << " sent=" << sent << " delivered=" << delivered
      << " duplicates=" << duplicates << " dead_lettered=" << dead_lettered << " lost=" << lost
      << " pending=" << pending;
  return out.str();
}

void DeliveryLedger::accepted(const std::string& event_id) {
  std::lock_guard lock(mutex_);
  accepted_[event_id]++;
}

std::map<std::string, std::size_t> DeliveryLedger::counts() const {
  std::lock_guard lock(mutex_);
  return accepted_;
}

FaultSummary DeliveryLedger::summarize(const std::string& scenario,
                                       const std::vector<std::string>& sent,
                                       const std::set<std::string>& dead_lettered) const {
  std::lock_guard lock(mutex_);
  FaultSummary summary{.scenario = scenario, .sent = sent.size()};
  for (const auto& id : sent) {
    auto found = accepted_.find(id);
    if (found != accepted_.end()) {
      summary.delivered++;
      summary.duplicates += found->second - 1;
    } else if (dead_lettered.count(id) != 0) {
      summary.dead_lettered++;
    } else {
      summary.lost++;
      if (summary.lost_ids.size() < 10) {
        summary.lost_ids.push_back(id);
      }
    }
  }
  return summary;
}

}  // namespace hookline::testing
