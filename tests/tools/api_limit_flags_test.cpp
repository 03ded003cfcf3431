#include "tools/api_limit_flags.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace hookline {
namespace {

using namespace std::chrono_literals;

ApiServerOptions parsed(std::vector<std::string> args, ApiLimitFlags* flags_out = nullptr) {
  CLI::App app;
  ApiLimitFlags flags;
  addApiLimitFlags(app, flags);
  args.insert(args.begin(), "api");
  std::vector<const char*> argv;
  for (const auto& arg : args) {
    argv.push_back(arg.c_str());
  }
  app.parse(static_cast<int>(argv.size()), argv.data());
  ApiServerOptions options;
  applyApiLimitFlags(flags, options);
  if (flags_out != nullptr) {
    *flags_out = flags;
  }
  return options;
}

TEST(ApiLimitFlagsTest, DefaultsAreTheServerDefaults) {
  const ApiServerOptions defaults;
  const ApiServerOptions options = parsed({});
  EXPECT_EQ(options.body_limit, defaults.body_limit);
  EXPECT_EQ(options.header_limit, defaults.header_limit);
  EXPECT_EQ(options.read_timeout, defaults.read_timeout);
  EXPECT_EQ(options.idle_timeout, defaults.idle_timeout);
  EXPECT_EQ(options.write_timeout, defaults.write_timeout);
  EXPECT_EQ(options.max_connections, defaults.max_connections);
  EXPECT_EQ(options.workers, defaults.workers);
  EXPECT_EQ(options.work_queue_limit, defaults.work_queue_limit);
  EXPECT_EQ(options.work_deadline, defaults.work_deadline);
}

TEST(ApiLimitFlagsTest, EveryFlagReachesTheServerOptions) {
  ApiLimitFlags flags;
  const ApiServerOptions options = parsed(
      {"--body-limit",      "2048", "--header-limit",     "4096", "--read-timeout-ms", "1500",
       "--idle-timeout-ms", "2500", "--write-timeout-ms", "3500", "--max-connections", "7",
       "--api-threads",     "3",    "--api-workers",      "5",    "--api-queue-limit", "9",
       "--api-deadline-ms", "4500"},
      &flags);
  EXPECT_EQ(options.body_limit, 2048u);
  EXPECT_EQ(options.header_limit, 4096u);
  EXPECT_EQ(options.read_timeout, 1500ms);
  EXPECT_EQ(options.idle_timeout, 2500ms);
  EXPECT_EQ(options.write_timeout, 3500ms);
  EXPECT_EQ(options.max_connections, 7u);
  EXPECT_EQ(flags.threads, 3);
  EXPECT_EQ(options.workers, 5u);
  EXPECT_EQ(options.work_queue_limit, 9u);
  EXPECT_EQ(options.work_deadline, 4500ms);
}

TEST(ApiLimitFlagsTest, OutOfRangeValuesAreRefused) {
  EXPECT_THROW(parsed({"--max-connections", "0"}), CLI::ValidationError);
  EXPECT_THROW(parsed({"--read-timeout-ms", "5"}), CLI::ValidationError);
  EXPECT_THROW(parsed({"--api-threads", "0"}), CLI::ValidationError);
  EXPECT_THROW(parsed({"--api-workers", "0"}), CLI::ValidationError);
  EXPECT_THROW(parsed({"--api-queue-limit", "0"}), CLI::ValidationError);
  EXPECT_THROW(parsed({"--api-deadline-ms", "10"}), CLI::ValidationError);
}

}  // namespace
}  // namespace hookline
