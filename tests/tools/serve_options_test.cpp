#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tools/commands.hpp"

namespace hookline {
namespace {

// Parses and runs `hookline <args>` with only the serve commands registered.
void runCli(std::vector<std::string> args) {
  CLI::App app;
  CommonOptions common;
  addServeCommands(app, common);
  args.insert(args.begin(), "hookline");
  std::vector<const char*> argv;
  for (const auto& arg : args) {
    argv.push_back(arg.c_str());
  }
  app.parse(static_cast<int>(argv.size()), argv.data());
}

// The check runs before anything connects, so no Redis is needed here.
TEST(ServeOptionsTest, WorkerRefusesAReclaimIdleTooShortForTheAttemptLimit) {
  try {
    runCli({"worker", "--attempt-timeout-ms", "15000", "--reclaim-idle", "20s"});
    FAIL() << "the worker accepted --reclaim-idle 20s with 15 s attempts";
  } catch (const CLI::ValidationError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("--reclaim-idle"), std::string::npos) << message;
    EXPECT_NE(message.find("--attempt-timeout-ms"), std::string::npos) << message;
  }
}

TEST(ServeOptionsTest, ServeRefusesAnUnparsableReclaimIdle) {
  EXPECT_THROW(runCli({"serve", "--reclaim-idle", "soon"}), CLI::ValidationError);
}

}  // namespace
}  // namespace hookline
