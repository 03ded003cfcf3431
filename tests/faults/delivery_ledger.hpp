#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace hookline::testing {

// What a fault scenario ended with, counted by event id.
struct FaultSummary {
  std::string scenario;
  std::size_t sent = 0;               // events the producer's XADD was acknowledged for
  std::size_t delivered = 0;          // sent events the receiver accepted at least once
  std::size_t duplicates = 0;         // accepted deliveries beyond the first of an event
  std::size_t dead_lettered = 0;      // sent events in the dead-letter stream, never accepted
  std::size_t lost = 0;               // sent events neither accepted nor dead-lettered
  long long pending = 0;              // entries still pending in the group at the end
  std::vector<std::string> lost_ids;  // the first few, for the failure message

  // "fault scenario=... sent=... delivered=... duplicates=... dead_lettered=... lost=..."
  std::string line() const;
};

// The event ids a receiver accepted (answered 2xx), with how often. Thread-safe: the
// receiver's threads record, the test reads.
class DeliveryLedger {
 public:
  void accepted(const std::string& event_id);
  std::map<std::string, std::size_t> counts() const;

  FaultSummary summarize(const std::string& scenario, const std::vector<std::string>& sent,
                         const std::set<std::string>& dead_lettered) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::size_t> accepted_;
};

}  // namespace hookline::testing
