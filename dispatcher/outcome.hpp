#pragma once

#include <string>
#include <string_view>

#include "dispatcher/delivery.hpp"

namespace hookline {

// What an attempt's result means for the event (DESIGN.md section 3).
enum class AttemptOutcome {
  Delivered,  // 2xx
  Retry,      // network error, timeout, 408, 425, 429, 5xx
  Gone,       // 410: the receiver asks us to stop; the webhook is disabled
  Rejected,   // any other 4xx, every 3xx (redirects are never followed), unusable URL
  Blocked,    // the address guard refused the destination; no connection was made
};

AttemptOutcome classifyAttempt(const DeliveryResult& result);
std::string_view attemptOutcomeName(AttemptOutcome outcome);

// A short description of the result for logs and dead letters: "http 503",
// "network: Connection refused (curl 7)" or "blocked: address guard: 127.0.0.2 is not ...".
std::string describeResult(const DeliveryResult& result);

}  // namespace hookline
