#include "registry/identifiers.hpp"

namespace hookline {
namespace {

bool isIdentifierChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.';
}

bool isIdentifier(std::string_view text, std::size_t max_length) {
  if (text.empty() || text.size() > max_length) {
    return false;
  }
  for (char c : text) {
    if (!isIdentifierChar(c)) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool isValidAccountName(std::string_view name) {
  return isIdentifier(name, kMaxAccountNameLength);
}

bool isValidChannelId(std::string_view channel_id) {
  return isIdentifier(channel_id, kMaxChannelIdLength);
}

}  // namespace hookline
