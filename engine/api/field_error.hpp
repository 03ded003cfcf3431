#pragma once

#include <string>

namespace hookline {

// One problem with a request, as it appears in an error envelope's "errors" array.
struct FieldError {
  std::string field;   // "url", "events", "events.message_status", "body", "Content-Type"
  std::string reason;  // "is required", "must be a boolean", ...

  bool operator==(const FieldError&) const = default;
};

}  // namespace hookline
