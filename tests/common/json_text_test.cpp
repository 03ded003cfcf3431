#include "common/json_text.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

namespace hookline {
namespace {

std::string asJsonString(std::string_view text) {
  std::string out;
  appendJsonString(out, text);
  return out;
}

TEST(JsonTextTest, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(asJsonString("plain"), R"("plain")");
  EXPECT_EQ(asJsonString(R"(say "hi" \ bye)"), R"("say \"hi\" \\ bye")");
  EXPECT_EQ(asJsonString(std::string("a\nb\t\x01\x1f", 6)), R"("a\u000ab\u0009\u0001\u001f")");
  EXPECT_EQ(asJsonString(std::string("nul\0end", 7)), R"("nul\u0000end")");
  EXPECT_EQ(asJsonString(""), R"("")");
}

TEST(JsonTextTest, KeepsWellFormedUtf8AsItIs) {
  const std::string text =
      "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xEF\xBF\xBF \xF4\x8F\xBF\xBF";
  EXPECT_EQ(asJsonString(text), "\"" + text + "\"");
  EXPECT_EQ(nlohmann::json::parse(asJsonString(text)).get<std::string>(), text);
}

TEST(JsonTextTest, ReplacesEveryMalformedSequenceWithTheReplacementCharacter) {
  const std::string bad[] = {
      "\x80",              // a lone continuation byte
      "\xC0\x80",          // overlong NUL (each byte refused on its own)
      "\xC3",              // truncated at the end
      "\xE2\x82",          // truncated three-byte sequence
      "\xE0\x80\xAF",      // overlong three-byte form
      "\xED\xA0\x80",      // a UTF-16 surrogate
      "\xF4\x90\x80\x80",  // above U+10FFFF
      "\xF5\x80\x80\x80",  // a lead byte that never starts a sequence
      "\xFF",
  };
  for (const auto& text : bad) {
    const std::string out = asJsonString("a" + text + "z");
    SCOPED_TRACE(out);
    EXPECT_EQ(out.front(), '"');
    EXPECT_NE(out.find("\xEF\xBF\xBD"), std::string::npos);
    // The strict parser refuses malformed UTF-8, so parsing proves the output is clean.
    const auto parsed = nlohmann::json::parse(out).get<std::string>();
    EXPECT_EQ(parsed.front(), 'a');
    EXPECT_EQ(parsed.back(), 'z');
  }
}

TEST(JsonTextTest, ResynchronisesAfterAMalformedByte) {
  // A truncated sequence followed by a valid one: only the broken part is replaced.
  EXPECT_EQ(asJsonString("\xE2\x82\xC3\xA9"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\xC3\xA9\"");
}

TEST(JsonTextTest, EveryByteStringBecomesParseableJson) {
  std::string all;
  for (int byte = 0; byte < 256; ++byte) {
    all += static_cast<char>(byte);
    all += static_cast<char>(255 - byte);
  }
  EXPECT_NO_THROW(nlohmann::json::parse(asJsonString(all)));
}

}  // namespace
}  // namespace hookline
