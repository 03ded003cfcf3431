// docs/hookline.1 is the manual the package installs. These tests keep it in step with the
// command line main() builds: every option of every command is described, and every option the
// page names exists. The page's layout is the contract (its header comment says so): option
// entries are .TP paragraphs under COMMON OPTIONS or under a .SS whose title lists commands.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tools/commands.hpp"

namespace hookline {
namespace {

// "" is the program itself (the common options); others are paths such as "dlq list".
using CommandOptions = std::map<std::string, std::set<std::string>>;

void collectCommands(const CLI::App& command, const std::string& path, CommandOptions& out,
                     std::set<std::string>& leaves) {
  auto& names = out[path];
  for (const CLI::Option* option : command.get_options()) {
    for (const auto& name : option->get_lnames()) {
      names.insert("--" + name);
    }
  }
  const auto subcommands = command.get_subcommands({});
  if (subcommands.empty()) {
    leaves.insert(path);
  }
  for (const CLI::App* sub : subcommands) {
    collectCommands(*sub, path.empty() ? sub->get_name() : path + " " + sub->get_name(), out,
                    leaves);
  }
}

struct Cli {
  CommandOptions options;
  std::set<std::string> leaves;  // commands that run something
  std::set<std::string> every_option;
};

Cli declaredCli() {
  CLI::App app;
  CommonOptions common;
  addHooklineCli(app, common);
  Cli cli;
  collectCommands(app, "", cli.options, cli.leaves);
  for (const auto& [path, names] : cli.options) {
    cli.every_option.insert(names.begin(), names.end());
  }
  return cli;
}

// The page as text: "\-" is a hyphen, font changes and quotes around macro arguments go.
std::string plain(std::string line) {
  line = std::regex_replace(line, std::regex(R"(\\-)"), "-");
  line = std::regex_replace(line, std::regex(R"(\\f[BIRP])"), "");
  return line;
}

std::vector<std::string> longOptions(const std::string& text) {
  static const std::regex kOption(R"((^|[^A-Za-z0-9-])(--[a-z0-9][a-z0-9-]*))");
  std::vector<std::string> found;
  for (std::sregex_iterator it(text.begin(), text.end(), kOption), end; it != end; ++it) {
    found.push_back((*it)[2]);
  }
  return found;
}

std::string macroArgument(const std::string& line) {
  std::string title = line.substr(line.find(' ') + 1);
  title.erase(std::remove(title.begin(), title.end(), '"'), title.end());
  return title;
}

struct ManPage {
  CommandOptions described;            // .TP entries per command
  std::set<std::string> sections;      // commands named by some .SS
  std::set<std::string> named;         // every --option anywhere in the text
  std::vector<std::string> misplaced;  // .TP options outside any command's section
  std::string title_line;
};

ManPage readManPage(const std::string& path, const CommandOptions& commands) {
  std::ifstream file(path);
  EXPECT_TRUE(file.good()) << "cannot read " << path;
  ManPage page;
  std::vector<std::string> current;  // the commands the entries below belong to
  bool in_example = false;
  bool tag_next = false;
  for (std::string raw; std::getline(file, raw);) {
    if (raw.starts_with(".\\\"")) {
      continue;  // a comment
    }
    const std::string line = plain(raw);
    if (line.starts_with(".TH ")) {
      page.title_line = line;
    } else if (line.starts_with(".SH ")) {
      current.clear();
      if (macroArgument(line) == "COMMON OPTIONS") {
        current.push_back("");
      }
    } else if (line.starts_with(".SS ")) {
      current.clear();
      std::stringstream parts(macroArgument(line));
      for (std::string part; std::getline(parts, part, ',');) {
        part.erase(0, part.find_first_not_of(' '));
        if (!commands.contains(part)) {
          current.clear();
          break;
        }
        current.push_back(part);
      }
      page.sections.insert(current.begin(), current.end());
    } else if (line.starts_with(".EX")) {
      in_example = true;
    } else if (line.starts_with(".EE")) {
      in_example = false;
    }

    // In examples only what follows `hookline` is hookline's (not curl's or systemctl's).
    std::string text = line;
    if (in_example) {
      const auto at = text.find("hookline ");
      text = at == std::string::npos ? "" : text.substr(at);
    }
    const auto options = longOptions(text);
    page.named.insert(options.begin(), options.end());
    if (tag_next) {
      for (const auto& option : options) {
        if (current.empty()) {
          page.misplaced.push_back(option);
        }
        for (const auto& command : current) {
          page.described[command].insert(option);
        }
      }
    }
    tag_next = line.starts_with(".TP");
  }
  return page;
}

class ManPageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* source = std::getenv("HOOKLINE_SOURCE_DIR");
    ASSERT_NE(source, nullptr) << "ctest sets HOOKLINE_SOURCE_DIR";
    page_ = readManPage(std::string(source) + "/docs/hookline.1", cli_.options);
  }

  Cli cli_ = declaredCli();
  ManPage page_;
};

TEST_F(ManPageTest, EveryCommandHasASection) {
  for (const auto& command : cli_.leaves) {
    EXPECT_TRUE(page_.sections.contains(command)) << "no .SS for `hookline " << command << "`";
  }
}

TEST_F(ManPageTest, EveryDeclaredOptionIsDescribedForItsCommand) {
  const auto& common = page_.described[""];
  for (const auto& [command, options] : cli_.options) {
    const auto& own = page_.described[command];
    for (const auto& option : options) {
      EXPECT_TRUE(own.contains(option) || common.contains(option))
          << option << " of `hookline " << command << "` is not in docs/hookline.1";
    }
  }
}

TEST_F(ManPageTest, EveryDescribedOptionExistsOnEachCommandItIsListedFor) {
  for (const auto& [command, options] : page_.described) {
    const auto& declared = cli_.options.at(command);
    for (const auto& option : options) {
      EXPECT_TRUE(declared.contains(option))
          << "docs/hookline.1 lists " << option << " for `hookline " << command
          << "`, which has no such option";
    }
  }
  EXPECT_TRUE(page_.misplaced.empty()) << "options described outside a command's section: "
                                       << ::testing::PrintToString(page_.misplaced);
}

TEST_F(ManPageTest, EveryOptionNamedAnywhereExists) {
  for (const auto& option : page_.named) {
    EXPECT_TRUE(cli_.every_option.contains(option))
        << "docs/hookline.1 names " << option << ", which no command has";
  }
}

TEST_F(ManPageTest, TitleCarriesTheProgramsVersion) {
  EXPECT_NE(page_.title_line.find(std::string("\"hookline ") + HOOKLINE_VERSION + "\""),
            std::string::npos)
      << page_.title_line;
}

}  // namespace
}  // namespace hookline
