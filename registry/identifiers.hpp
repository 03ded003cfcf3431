#pragma once

#include <cstddef>
#include <string_view>

namespace hookline {

inline constexpr std::size_t kMaxAccountNameLength = 64;
inline constexpr std::size_t kMaxChannelIdLength = 128;

// Account names and channel ids: 1 to the maximum length of ASCII letters, digits, '_', '-'
// and '.'. Both appear in Redis keys, URL paths and logs, so nothing else is allowed.
bool isValidAccountName(std::string_view name);
bool isValidChannelId(std::string_view channel_id);

}  // namespace hookline
