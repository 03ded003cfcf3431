#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hookline {

// RFC 3339 date-time ("2026-12-04T16:30:21Z", "...21.5+01:00") to Unix epoch milliseconds.
// Fractions beyond milliseconds are truncated; nullopt when the text is not RFC 3339.
std::optional<std::int64_t> parseRfc3339Millis(std::string_view text);

// Unix epoch milliseconds to RFC 3339 in UTC with millisecond precision
// ("2026-12-04T16:30:21.123Z").
std::string formatRfc3339Millis(std::int64_t epoch_ms);

// The wall clock now, in Unix epoch milliseconds.
std::int64_t nowEpochMillis();

}  // namespace hookline
