#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tools/commands.hpp"

namespace hookline {
namespace {

// Parses and runs `hookline <args>` with only the serve commands registered. Redis points at
// a port nothing listens on: these runs must stop at option checking, before any connection.
void runCli(std::vector<std::string> args) {
  CLI::App app;
  CommonOptions common;
  common.redis_url = "redis://127.0.0.1:1";
  addServeCommands(app, common);
  args.insert(args.begin(), "hookline");
  std::vector<const char*> argv;
  for (const auto& arg : args) {
    argv.push_back(arg.c_str());
  }
  app.parse(static_cast<int>(argv.size()), argv.data());
}

std::string validationMessage(std::vector<std::string> args) {
  try {
    runCli(std::move(args));
  } catch (const CLI::ValidationError& error) {
    return error.what();
  }
  return "no error";
}

TEST(ServeOptionsTest, BadAllowNetworkStopsStartUpNamingIt) {
  for (const char* command : {"serve", "worker", "api"}) {
    const auto message = validationMessage(
        {command, "--allow-network", "127.0.0.1/32", "--allow-network", "10.0.0.1/8"});
    EXPECT_NE(message.find("--allow-network"), std::string::npos) << command << ": " << message;
    EXPECT_NE(message.find("10.0.0.1/8"), std::string::npos) << command << ": " << message;
  }
  EXPECT_NE(validationMessage({"serve", "--allow-network", "localhost"}).find("localhost"),
            std::string::npos);
}

// The per-endpoint cap is a worker flag (README lists it); zero would stall every endpoint.
TEST(ServeOptionsTest, MaxPerEndpointIsAFlagAndZeroIsRefused) {
  for (const char* command : {"serve", "worker"}) {
    const auto message = validationMessage({command, "--max-per-endpoint", "0"});
    EXPECT_NE(message.find("--max-per-endpoint"), std::string::npos) << command << ": " << message;
  }
}

TEST(ServeOptionsTest, BadResolveEntryStopsStartUp) {
  const auto message = validationMessage({"worker", "--resolve", "rebind.test:127.0.0.2"});
  EXPECT_NE(message.find("--resolve"), std::string::npos) << message;
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
