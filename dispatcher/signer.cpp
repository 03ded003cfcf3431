#include "dispatcher/signer.hpp"

#include "common/crypto.hpp"

namespace hookline {

namespace {
constexpr std::string_view kSecretPrefix = "whsec_";
}  // namespace

Expected<Signer> Signer::fromSecrets(const std::vector<std::string>& secrets) {
  Signer signer;
  for (const auto& secret : secrets) {
    if (secret.substr(0, kSecretPrefix.size()) != kSecretPrefix) {
      return Error{"signing secret must start with whsec_"};
    }
    auto key = crypto::base64Decode(std::string_view(secret).substr(kSecretPrefix.size()));
    if (!key || key->empty()) {
      return Error{"signing secret is not valid base64"};
    }
    auto keyed = HmacSha256Key::create(*key);
    if (!keyed) {
      return keyed.error();
    }
    signer.keys_.push_back(std::move(*keyed));
  }
  return signer;
}

std::string Signer::sign(std::string_view id, std::string_view timestamp,
                         std::string_view body) const {
  std::string header;
  for (const auto& key : keys_) {
    if (!header.empty()) {
      header += ' ';
    }
    header += "v1,";
    // Fed in parts: the body is not copied. An empty MAC (OpenSSL out of memory) yields a
    // signature no receiver accepts, so the attempt fails visibly rather than unsigned.
    header += crypto::base64Encode(key.mac({id, ".", timestamp, ".", body}));
  }
  return header;
}

}  // namespace hookline
