// Fuzzes the registration-time URL policy, checkWebhookUrl (engine/api/url_rules.hpp).
//
// Host names are answered by a fake resolver (fuzz_resolver.hpp): the fuzzer never does DNS.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <curl/curl.h>

#include "engine/api/url_rules.hpp"
#include "fuzz/fuzz_check.hpp"
#include "fuzz/fuzz_resolver.hpp"

namespace {

using hookline::UrlRules;

struct CurlUrlDeleter {
  void operator()(CURLU* handle) const noexcept { curl_url_cleanup(handle); }
};

std::string lowerAscii(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return text;
}

// What an accepted URL must still satisfy when read back by the same parser that sends to it.
void checkAccepted(std::string_view url, const UrlRules& rules) {
  FUZZ_CHECK(!url.empty() && url.size() <= rules.max_length);
  FUZZ_CHECK(url.find('#') == std::string_view::npos);
  for (char c : url) {
    FUZZ_CHECK(static_cast<unsigned char>(c) > 0x20 && c != 0x7F);
  }

  std::unique_ptr<CURLU, CurlUrlDeleter> handle(curl_url());
  FUZZ_CHECK(handle != nullptr);
  const std::string text(url);
  FUZZ_CHECK(curl_url_set(handle.get(), CURLUPART_URL, text.c_str(), 0) == CURLUE_OK);

  char* part = nullptr;
  FUZZ_CHECK(curl_url_get(handle.get(), CURLUPART_SCHEME, &part, 0) == CURLUE_OK);
  const std::string scheme = lowerAscii(part);
  curl_free(part);
  FUZZ_CHECK(scheme == "https" || (rules.allow_http && scheme == "http"));

  part = nullptr;
  FUZZ_CHECK(curl_url_get(handle.get(), CURLUPART_HOST, &part, 0) == CURLUE_OK);
  FUZZ_CHECK(part != nullptr && part[0] != '\0');
  curl_free(part);

  part = nullptr;
  FUZZ_CHECK(curl_url_get(handle.get(), CURLUPART_USER, &part, 0) != CURLUE_OK);
  curl_free(part);

  // curl's own spelling of the URL, which is what a delivery sends to, passes the policy too.
  part = nullptr;
  FUZZ_CHECK(curl_url_get(handle.get(), CURLUPART_URL, &part, 0) == CURLUE_OK);
  const std::string normalized(part);
  curl_free(part);
  UrlRules roomy = rules;
  roomy.max_length = normalized.size();
  const auto again = hookline::checkWebhookUrl(normalized, roomy);
  if (!again) {
    std::fprintf(stderr, "accepted \"%s\" but not its normal form \"%s\": %s\n", text.c_str(),
                 normalized.c_str(), again.error().message.c_str());
  }
  FUZZ_CHECK(again.ok());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view url(reinterpret_cast<const char*>(data), size);

  static const auto resolve = hookline::fuzz::fakeResolver();
  const UrlRules https_only{.allow_http = false, .max_length = 2048, .resolve = resolve};
  const UrlRules with_http{.allow_http = true, .max_length = 2048, .resolve = resolve};
  const auto strict = hookline::checkWebhookUrl(url, https_only);
  const auto relaxed = hookline::checkWebhookUrl(url, with_http);

  if (strict) {
    checkAccepted(url, https_only);
    // Allowing plain http only ever adds URLs.
    FUZZ_CHECK(relaxed.ok());
  } else {
    FUZZ_CHECK(!strict.error().message.empty());
  }
  if (relaxed) {
    checkAccepted(url, with_http);
  }

  // The length limit is a hard ceiling, whatever else the URL is.
  if (!url.empty()) {
    const UrlRules shorter{.allow_http = true, .max_length = url.size() - 1, .resolve = resolve};
    FUZZ_CHECK(!hookline::checkWebhookUrl(url, shorter).ok());
  }
  return 0;
}
