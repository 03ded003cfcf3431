#pragma once

#include <string>
#include <vector>

#include "tools/receiver_server.hpp"

namespace hookline::testing {

struct NodeVerdict {
  int verified = 0;
  std::string failures;  // the verifier's failure list as JSON text ("[]" when none)
};

// Runs tests/node/verify_signatures.js (the public `standardwebhooks` package) over captured
// deliveries, checking each against every secret given. Throws when node or the package is
// missing: the test command installs them, so their absence is a setup fault to report.
NodeVerdict verifyWithStandardWebhooks(const std::vector<ReceivedRequest>& requests,
                                       const std::vector<std::string>& secrets);

}  // namespace hookline::testing
