#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/expected.hpp"
#include "common/hmac_key.hpp"

namespace hookline {

// Signs deliveries the Standard Webhooks way: base64(HMAC-SHA256(key, id "." timestamp "."
// body)) with the key decoded from a "whsec_<base64>" secret. With several secrets (during a
// rotation) the header value carries one "v1,<sig>" per secret, separated by spaces.
//
// A Signer decodes and keys its secrets once; keep one per set of secrets rather than making
// one per message. sign() is const and may be called from several threads.
class Signer {
 public:
  // Fails when a secret lacks the whsec_ prefix or is not valid base64.
  static Expected<Signer> fromSecrets(const std::vector<std::string>& secrets);

  // The webhook-signature header value for exactly these bytes.
  std::string sign(std::string_view id, std::string_view timestamp, std::string_view body) const;

  bool empty() const { return keys_.empty(); }

 private:
  std::vector<HmacSha256Key> keys_;  // one keyed HMAC context per secret
};

}  // namespace hookline
