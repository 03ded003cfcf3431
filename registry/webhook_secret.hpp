#pragma once

#include <string>

namespace hookline {

// A new signing secret in the Standard Webhooks form: "whsec_" + base64 of 32 random bytes.
// The registry makes one when a channel's webhook is first configured. Throws only if the
// system's CSPRNG fails.
std::string generateWebhookSecret();

}  // namespace hookline
