#include "common/hmac_key.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <array>

namespace hookline {
namespace {

struct MacCtxFree {
  void operator()(EVP_MAC_CTX* ctx) const noexcept { EVP_MAC_CTX_free(ctx); }
};
using MacCtx = std::unique_ptr<EVP_MAC_CTX, MacCtxFree>;

}  // namespace

Expected<HmacSha256Key> HmacSha256Key::create(std::string_view key) {
  EVP_MAC* hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (hmac == nullptr) {
    return Error{"OpenSSL has no HMAC"};
  }
  MacCtx ctx(EVP_MAC_CTX_new(hmac));
  EVP_MAC_free(hmac);  // the context keeps its own reference
  if (!ctx) {
    return Error{"cannot create an HMAC context"};
  }
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                               OSSL_PARAM_END};
  if (EVP_MAC_init(ctx.get(), reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                   params) != 1) {
    return Error{"cannot key HMAC-SHA256"};
  }
  return HmacSha256Key(std::shared_ptr<EVP_MAC_CTX>(ctx.release(), MacCtxFree{}));
}

std::string HmacSha256Key::mac(std::initializer_list<std::string_view> parts) const {
  MacCtx ctx(EVP_MAC_CTX_dup(keyed_.get()));
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  std::size_t length = 0;
  if (!ctx) {
    return {};
  }
  for (std::string_view part : parts) {
    EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(part.data()), part.size());
  }
  if (EVP_MAC_final(ctx.get(), out.data(), &length, out.size()) != 1) {
    return {};
  }
  return std::string(reinterpret_cast<const char*>(out.data()), length);
}

}  // namespace hookline
