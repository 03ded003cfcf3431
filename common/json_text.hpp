#pragma once

#include <string>
#include <string_view>

namespace hookline {

// Appends `text` to `out` as a JSON string literal, quotes included: '"' and '\' escaped,
// control characters as \u00XX, and every byte that is not part of well-formed UTF-8 replaced
// by U+FFFD, so the result is valid JSON whatever the bytes (a receiver's error text, say).
// For the few small documents written on the hot path, where building a JSON tree only to
// print it would cost more than the rest of the delivery.
void appendJsonString(std::string& out, std::string_view text);

}  // namespace hookline
