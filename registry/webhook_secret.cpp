#include "registry/webhook_secret.hpp"

#include "common/crypto.hpp"

namespace hookline {

std::string generateWebhookSecret() {
  constexpr std::size_t kSecretBytes = 32;
  return "whsec_" + crypto::base64Encode(crypto::randomBytes(kSecretBytes));
}

}  // namespace hookline
