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
    signer.keys_.push_back(std::move(*key));
  }
  return signer;
}

std::string Signer::sign(std::string_view id, std::string_view timestamp,
                         std::string_view body) const {
  std::string material;
  material.reserve(id.size() + timestamp.size() + body.size() + 2);
  material.append(id).append(".").append(timestamp).append(".").append(body);
  std::string header;
  for (const auto& key : keys_) {
    if (!header.empty()) {
      header += ' ';
    }
    header += "v1,";
    header += crypto::base64Encode(crypto::hmacSha256(key, material));
  }
  return header;
}

}  // namespace hookline
