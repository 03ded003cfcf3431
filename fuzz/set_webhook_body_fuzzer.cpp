// Fuzzes the setWebhook body validator, parseSetWebhookBody (engine/api/set_webhook_request.hpp).
//
// Host names are answered by a fake resolver (fuzz_resolver.hpp): the fuzzer never does DNS.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "engine/api/set_webhook_request.hpp"
#include "fuzz/fuzz_check.hpp"
#include "fuzz/fuzz_resolver.hpp"
#include "registry/event_kind.hpp"

namespace {

using hookline::BodyProblem;
using hookline::SetWebhookRequest;
using hookline::UrlRules;

// The body a client would send to register exactly `request` again.
std::string bodyFor(const SetWebhookRequest& request) {
  nlohmann::json events = nlohmann::json::object();
  for (auto kind : hookline::kAllEventKinds) {
    events[std::string(hookline::eventKindName(kind))] = request.events.contains(kind);
  }
  return nlohmann::json{{"url", request.url}, {"events", events}}.dump();
}

void checkOne(std::string_view body, const UrlRules& rules) {
  const auto parsed = hookline::parseSetWebhookBody(body, rules);
  if (!parsed) {
    const auto& rejection = parsed.error();
    FUZZ_CHECK(!rejection.errors.empty());
    FUZZ_CHECK(rejection.errors.size() <= hookline::kMaxFieldErrors);
    for (const auto& error : rejection.errors) {
      FUZZ_CHECK(!error.field.empty() && !error.reason.empty());
      // Echoed event names are cut, so a hostile body cannot inflate the answer.
      FUZZ_CHECK(error.field.size() <= 7 + 128);
    }
    if (rejection.problem == BodyProblem::InvalidUrl) {
      FUZZ_CHECK(rejection.errors.size() == 1 && rejection.errors.front().field == "url");
    }
    return;
  }

  // An accepted request carries a URL the policy accepts and round-trips unchanged.
  const SetWebhookRequest& request = *parsed;
  FUZZ_CHECK(hookline::checkWebhookUrl(request.url, rules).ok());
  const auto again = hookline::parseSetWebhookBody(bodyFor(request), rules);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again->url == request.url);
  FUZZ_CHECK(again->events == request.events);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  static const auto resolve = hookline::fuzz::fakeResolver();
  checkOne(body, UrlRules{.allow_http = false, .max_length = 2048, .resolve = resolve});
  checkOne(body, UrlRules{.allow_http = true, .max_length = 2048, .resolve = resolve});

  // The Content-Type check shares the input: it must simply never misbehave.
  (void)hookline::isJsonContentType(body.substr(0, 256));
  return 0;
}
