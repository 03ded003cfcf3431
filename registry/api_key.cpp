#include "registry/api_key.hpp"

#include "common/crypto.hpp"

namespace hookline {
namespace {

// Unpadded base64url of 32 bytes: ceil(32 * 4 / 3) characters.
constexpr std::size_t kEncodedLength = (kApiKeyRandomBytes * 4 + 2) / 3;

bool isBase64UrlChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

}  // namespace

std::string generateApiKey() {
  return std::string(kApiKeyPrefix) +
         crypto::base64UrlEncode(crypto::randomBytes(kApiKeyRandomBytes));
}

std::string hashApiKey(std::string_view key) {
  return crypto::sha256Hex(key);
}

bool hasApiKeyFormat(std::string_view key) {
  if (key.size() != kApiKeyPrefix.size() + kEncodedLength || !key.starts_with(kApiKeyPrefix)) {
    return false;
  }
  for (char c : key.substr(kApiKeyPrefix.size())) {
    if (!isBase64UrlChar(c)) {
      return false;
    }
  }
  return true;
}

}  // namespace hookline
