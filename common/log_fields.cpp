#include "common/log_fields.hpp"

#include <cctype>

namespace hookline::log {
namespace {

// Length of "key" when `word` starts with key= (a lower-case identifier), else 0.
std::size_t keyLength(std::string_view word) {
  std::size_t i = 0;
  while (i < word.size() && (std::islower(static_cast<unsigned char>(word[i])) ||
                             std::isdigit(static_cast<unsigned char>(word[i])) || word[i] == '_')) {
    ++i;
  }
  const bool starts_well = i > 0 && !std::isdigit(static_cast<unsigned char>(word[0]));
  return starts_well && i < word.size() && word[i] == '=' ? i : 0;
}

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && text.back() == ' ') {
    text.remove_suffix(1);
  }
  return text;
}

}  // namespace

LogFields splitLogFields(std::string_view line) {
  LogFields result;
  // Word starts (after a space, or the line's start) where a key= begins.
  std::vector<std::size_t> starts;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if ((i == 0 || line[i - 1] == ' ') && line[i] != ' ' && keyLength(line.substr(i)) > 0) {
      starts.push_back(i);
    }
  }
  result.message = trimmed(line.substr(0, starts.empty() ? line.size() : starts.front()));
  for (std::size_t n = 0; n < starts.size(); ++n) {
    const std::size_t end = n + 1 < starts.size() ? starts[n + 1] : line.size();
    const std::string_view word = line.substr(starts[n], end - starts[n]);
    const std::size_t key = keyLength(word);
    result.fields.emplace_back(word.substr(0, key), trimmed(word.substr(key + 1)));
  }
  return result;
}

}  // namespace hookline::log
