#pragma once

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

#include "common/expected.hpp"

struct evp_mac_ctx_st;

namespace hookline {

// An HMAC-SHA256 key set up once: the keyed context is kept and each mac() starts from a copy
// of it, so neither the algorithm fetch nor the key schedule is paid per message (OpenSSL 3's
// one-shot HMAC() pays both every call).
//
// Threading: mac() is const and only reads the kept context, so one key may be used from
// several threads. Copies share the kept context.
class HmacSha256Key {
 public:
  // Fails only when OpenSSL cannot set up HMAC-SHA256.
  static Expected<HmacSha256Key> create(std::string_view key);

  // The raw 32-byte MAC of the parts, concatenated (no copy of them is made).
  std::string mac(std::initializer_list<std::string_view> parts) const;

 private:
  explicit HmacSha256Key(std::shared_ptr<evp_mac_ctx_st> keyed) : keyed_(std::move(keyed)) {}

  std::shared_ptr<evp_mac_ctx_st> keyed_;
};

}  // namespace hookline
