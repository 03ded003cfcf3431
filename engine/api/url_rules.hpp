#pragma once

#include <cstddef>
#include <string_view>

#include "common/expected.hpp"

namespace hookline {

// What a webhook URL must look like to be registered (DESIGN.md section 1). Only the form of
// the URL is checked here; which addresses its host may resolve to is the dispatcher's
// connect-time guard (section 4).
// TODO: refuse literal non-public addresses (0.0.0.0, 127.2, 0x7f000001, [::ffff:...]) and
// honour the operator allow-list here too, so registration fails early (field case B23).
struct UrlRules {
  bool allow_http = false;  // plain http:// besides https://, for local testing only
  std::size_t max_length = 2048;
};

// Success, or an Error whose message is the reason to show the client (field "url"), such as
// "must use https". Parsing is libcurl's URL API, the same parser that later sends to it, plus
// stricter checks of our own on the raw text.
Status checkWebhookUrl(std::string_view url, const UrlRules& rules);

}  // namespace hookline
