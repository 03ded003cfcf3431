#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/expected.hpp"
#include "common/redis_link.hpp"
#include "engine/metrics/queue_snapshot.hpp"

namespace hookline {

// What `hookline status` reads from Redis. Everything here is shared by all workers of the
// stream, so it does not matter which machine asks.
struct StatusRequest {
  QueueNames names;
  std::vector<std::string> channels;  // --channel: details for these
  std::int64_t now_ms = 0;
  // Dead letters are counted by reason over at most this many of the newest ones, and waiting
  // retries are matched to channels over at most retry_scan_limit items, so status stays cheap
  // on a store of millions; the report says when it sampled.
  std::size_t dead_scan_limit = 10'000;
  std::size_t retry_scan_limit = 100'000;
};

struct DueBucket {
  std::string label;  // "overdue", "<1m", ... , ">24h"
  long long count = 0;
};

struct CircuitStatus {
  std::string endpoint;
  std::string state;
  long long consecutive_failures = 0;
  std::int64_t next_probe_at_ms = 0;
};

struct ChannelStatus {
  std::string channel_id;
  bool has_webhook = false;
  std::string url;
  std::vector<std::string> events;
  bool disabled = false;
  long long retries_waiting = 0;
  long long dead_letters = 0;                        // among the scanned dead letters
  std::map<std::string, long long> recent_attempts;  // outcome -> count, newest 100 attempts
};

struct StatusReport {
  QueueNames names;
  QueueSnapshot queues;
  std::vector<DueBucket> retries_by_due;
  std::map<std::string, long long> dead_by_reason;
  std::size_t dead_scanned = 0;  // < queues.dead_letters when sampled
  std::vector<CircuitStatus> circuits;
  std::vector<ChannelStatus> channels;
};

Expected<StatusReport> readStatus(RedisLink& link, const StatusRequest& request);

nlohmann::ordered_json statusJson(const StatusReport& report);
// Aligned columns for a terminal.
std::string statusTable(const StatusReport& report);

}  // namespace hookline
