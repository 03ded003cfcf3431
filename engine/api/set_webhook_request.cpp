#include "engine/api/set_webhook_request.hpp"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

namespace hookline {
namespace {

// Event names echo back in field names; a hostile body cannot make them longer than this.
constexpr std::size_t kMaxEchoedNameLength = 128;

void addError(std::vector<FieldError>& errors, std::string field, std::string reason) {
  if (errors.size() < kMaxFieldErrors) {
    errors.push_back({std::move(field), std::move(reason)});
  }
}

BodyRejection validationError(std::vector<FieldError> errors) {
  return {BodyProblem::Validation, std::move(errors)};
}

void readEvents(const nlohmann::json& events, EventMask& mask, std::vector<FieldError>& errors) {
  for (const auto& [name, flag] : events.items()) {
    const std::string field = "events." + name.substr(0, kMaxEchoedNameLength);
    const auto kind = parseEventKind(name);
    if (!kind) {
      addError(errors, field, "is not a known event");
    } else if (!flag.is_boolean()) {
      addError(errors, field, "must be a boolean");
    } else {
      mask.set(*kind, flag.get<bool>());
    }
  }
}

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) {
    return {};
  }
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

}  // namespace

bool isJsonContentType(std::string_view content_type) {
  const auto semicolon = content_type.find(';');
  if (!equalsIgnoreCase(trim(content_type.substr(0, semicolon)), "application/json")) {
    return false;
  }
  auto rest =
      semicolon == std::string_view::npos ? std::string_view{} : content_type.substr(semicolon + 1);
  while (!rest.empty()) {
    const auto next = rest.find(';');
    const auto parameter = trim(rest.substr(0, next));
    rest = next == std::string_view::npos ? std::string_view{} : rest.substr(next + 1);
    if (parameter.empty()) {
      continue;
    }
    const auto equals = parameter.find('=');
    if (equals == std::string_view::npos) {
      return false;
    }
    if (equalsIgnoreCase(trim(parameter.substr(0, equals)), "charset")) {
      auto value = trim(parameter.substr(equals + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      if (!equalsIgnoreCase(value, "utf-8") && !equalsIgnoreCase(value, "utf8")) {
        return false;
      }
    }
  }
  return true;
}

Expected<SetWebhookRequest, BodyRejection> parseSetWebhookBody(std::string_view body,
                                                               const UrlRules& rules) {
  const auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) {
    return validationError({{"body", "must be valid JSON"}});
  }
  if (!json.is_object()) {
    return validationError({{"body", "must be a JSON object"}});
  }

  std::vector<FieldError> errors;
  SetWebhookRequest request;
  const auto url = json.find("url");
  if (url == json.end()) {
    addError(errors, "url", "is required");
  } else if (!url->is_string()) {
    addError(errors, "url", "must be a string");
  }
  const auto events = json.find("events");
  if (events == json.end()) {
    addError(errors, "events", "is required");
  } else if (!events->is_object()) {
    addError(errors, "events", "must be an object");
  } else {
    readEvents(*events, request.events, errors);
  }
  if (!errors.empty()) {
    return validationError(std::move(errors));
  }

  request.url = url->get<std::string>();
  if (auto status = checkWebhookUrl(request.url, rules); !status) {
    return BodyRejection{BodyProblem::InvalidUrl, {{"url", status.error().message}}};
  }
  return request;
}

}  // namespace hookline
