// The guides quote the example programs whole; a quote must stay byte for byte the file the
// example tests run, and every example must be quoted somewhere.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "tests/support/child_process.hpp"

namespace hookline::testing {
namespace {

const std::string kMarker = "<!-- quote: ";

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::runtime_error("cannot read " + path.string());
  }
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct Quote {
  std::string file;  // relative to the source tree
  std::string text;  // the fenced block after the marker, each line ending in '\n'
};

// Each `<!-- quote: FILE -->` line must be followed at once by a fenced block.
std::vector<Quote> quotesIn(const std::string& guide) {
  std::istringstream in(readFile(sourceDir() / guide));
  std::vector<Quote> quotes;
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with(kMarker) || !line.ends_with(" -->")) {
      continue;
    }
    Quote quote{line.substr(kMarker.size(), line.size() - kMarker.size() - 4), ""};
    std::string fence;
    std::getline(in, fence);
    EXPECT_TRUE(fence.starts_with("```")) << guide << ": no code block after " << line;
    bool closed = false;
    for (std::string body; std::getline(in, body);) {
      if (body == "```") {
        closed = true;
        break;
      }
      quote.text += body + "\n";
    }
    EXPECT_TRUE(closed) << guide << ": unterminated quote of " << quote.file;
    quotes.push_back(std::move(quote));
  }
  return quotes;
}

// "" when equal, else the first line where they differ, for a failure message short enough to
// act on.
std::string firstDifference(const std::string& quoted, const std::string& file) {
  if (quoted == file) {
    return "";
  }
  std::istringstream a(quoted);
  std::istringstream b(file);
  std::string line_a;
  std::string line_b;
  for (int number = 1;; ++number) {
    const bool more_a = static_cast<bool>(std::getline(a, line_a));
    const bool more_b = static_cast<bool>(std::getline(b, line_b));
    if (!more_a || !more_b || line_a != line_b) {
      return "line " + std::to_string(number) + ": quoted \"" + (more_a ? line_a : "<end>") +
             "\", file \"" + (more_b ? line_b : "<end>") + "\"";
    }
  }
}

TEST(DocQuotesTest, GuidesQuoteTheExamplesExactly) {
  std::set<std::string> quoted;
  for (const std::string guide : {"docs/producers.md", "docs/receivers.md"}) {
    const auto quotes = quotesIn(guide);
    EXPECT_FALSE(quotes.empty()) << guide;
    for (const auto& quote : quotes) {
      EXPECT_EQ(firstDifference(quote.text, readFile(sourceDir() / quote.file)), "")
          << guide << " quotes " << quote.file << " out of date";
      quoted.insert(quote.file);
    }
  }
  for (const auto& entry : std::filesystem::directory_iterator(sourceDir() / "docs" / "examples")) {
    const std::string file = "docs/examples/" + entry.path().filename().string();
    EXPECT_TRUE(quoted.contains(file)) << file << " is quoted by no guide";
  }
}

}  // namespace
}  // namespace hookline::testing
