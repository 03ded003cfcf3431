#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/expected.hpp"
#include "engine/api/field_error.hpp"
#include "engine/api/url_rules.hpp"
#include "registry/event_kind.hpp"

namespace hookline {

// A valid setWebhook body: the URL passed UrlRules, absent event flags are false.
struct SetWebhookRequest {
  std::string url;
  EventMask events;
};

// Which published message a rejected body earns: "Validation error" for shape and type
// problems, "Invalid webhook URL" for a URL that is a string but breaks UrlRules. The URL is
// judged only once everything else is well-formed, so a rejection is always one or the other.
enum class BodyProblem { Validation, InvalidUrl };

struct BodyRejection {
  BodyProblem problem = BodyProblem::Validation;
  std::vector<FieldError> errors;  // never empty
};

// The pure validator of the setWebhook body (DESIGN.md section 1): a JSON object with a
// string "url" and an object "events" whose members are known event names with boolean
// values. Other top-level members are ignored so clients may send fields a later version
// understands. Reports every type problem it finds (at most kMaxFieldErrors), not only the
// first.
Expected<SetWebhookRequest, BodyRejection> parseSetWebhookBody(std::string_view body,
                                                               const UrlRules& rules);

inline constexpr std::size_t kMaxFieldErrors = 20;

// True for "application/json" in any letter case, optionally followed by parameters
// ("; charset=utf-8"); a charset other than UTF-8 is refused, as JSON text is UTF-8.
bool isJsonContentType(std::string_view content_type);

}  // namespace hookline
