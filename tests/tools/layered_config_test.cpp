#include "tools/layered_config.hpp"

#include <gtest/gtest.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "tools/commands.hpp"

namespace hookline {
namespace {

namespace fs = std::filesystem;

// `hookline <args>` with the real common options and serve/worker/api, stdout captured.
struct CliRun {
  std::string out;
  std::string error;  // what() of a CLI::Error thrown, "" when none
};

CliRun runCli(std::vector<std::string> args) {
  CLI::App app;
  app.fallthrough(true);
  CommonOptions common;
  addCommonOptions(app, common);
  addServeCommands(app, common);
  args.insert(args.begin(), "hookline");
  std::vector<const char*> argv;
  for (const auto& arg : args) {
    argv.push_back(arg.c_str());
  }
  CliRun run;
  ::testing::internal::CaptureStdout();
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::Error& error) {
    run.error = error.what();
  }
  run.out = ::testing::internal::GetCapturedStdout();
  return run;
}

class LayeredConfigTest : public ::testing::Test {
 protected:
  void TearDown() override {
    for (const char* name :
         {"HOOKLINE_BATCH_SIZE", "HOOKLINE_ALLOW_NETWORK", "HOOKLINE_REDIS_URL"}) {
      ::unsetenv(name);
    }
    fs::remove_all(dir_);
  }

  std::string writeConfig(const std::string& text) {
    fs::create_directories(dir_);
    const fs::path path = dir_ / ("config" + std::to_string(files_++) + ".toml");
    std::ofstream(path) << text;
    return path.string();
  }

  // The effective configuration `serve --print-config` shows, parsed back as TOML.
  toml::table effective(std::vector<std::string> args) {
    args.insert(args.begin(), "serve");
    args.push_back("--print-config");
    const CliRun run = runCli(args);
    EXPECT_EQ(run.error, "");
    return toml::parse(run.out);
  }

  fs::path dir_ =
      fs::temp_directory_path() / ("hookline_config_test_" + std::to_string(::getpid()) + "_" +
                                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
  int files_ = 0;
};

TEST_F(LayeredConfigTest, ExampleFileLoadsAndEveryKeyIsKnown) {
  const char* source = std::getenv("HOOKLINE_SOURCE_DIR");
  ASSERT_NE(source, nullptr) << "ctest sets HOOKLINE_SOURCE_DIR";
  const std::string example = std::string(source) + "/docs/hookline.example.toml";
  for (const char* role : {"serve", "worker", "api"}) {
    const CliRun run = runCli({role, "--config", example, "--print-config"});
    EXPECT_EQ(run.error, "") << role;
    EXPECT_NE(run.out.find("\nallow_http = false\n"), std::string::npos) << role << run.out;
  }
  const toml::table shown = effective({"--config", example});
  EXPECT_EQ(shown["batch_size"].value<std::int64_t>(), 256);
  EXPECT_EQ(shown["listen"].value<std::string>(), "127.0.0.1:8080");
  EXPECT_EQ(shown["allow_http"].value<bool>(), false);
  EXPECT_EQ(shown["retry_jitter"].value<double>(), 0.2);
  EXPECT_EQ(effective({"--config", example, "--allow-http"})["allow_http"].value<bool>(), true);
  // Every key the example sets is an option of some role: nothing there is silently ignored.
  const toml::table example_table = toml::parse_file(example);
  CLI::App app;
  CommonOptions common;
  addCommonOptions(app, common);
  addServeCommands(app, common);
  const auto known = knownKeys(app, {"serve", "worker", "api"});
  for (const auto& [key, value] : example_table) {
    EXPECT_TRUE(known.contains(std::string(key.str()))) << key.str();
  }
}

TEST_F(LayeredConfigTest, FlagsOverEnvironmentOverFile) {
  const std::string file = writeConfig("batch_size = 100\nmax_in_flight = 77\n");
  EXPECT_EQ(effective({"--config", file})["batch_size"].value<std::int64_t>(), 100);

  ::setenv("HOOKLINE_BATCH_SIZE", "200", 1);
  const toml::table with_env = effective({"--config", file});
  EXPECT_EQ(with_env["batch_size"].value<std::int64_t>(), 200);
  EXPECT_EQ(with_env["max_in_flight"].value<std::int64_t>(), 77);

  EXPECT_EQ(
      effective({"--config", file, "--batch-size", "300"})["batch_size"].value<std::int64_t>(),
      300);
  // Common options too, before or after the subcommand.
  const std::string named = writeConfig("stream = \"from_file\"\ngroup = \"g_file\"\n");
  const toml::table common = effective({"--config", named, "--group", "g_flag"});
  EXPECT_EQ(common["stream"].value<std::string>(), "from_file");
  EXPECT_EQ(common["group"].value<std::string>(), "g_flag");
}

TEST_F(LayeredConfigTest, ListsFromFileAndEnvironment) {
  const std::string file = writeConfig("allow_network = [\"10.0.0.0/8\", \"fd00::/8\"]\n");
  const toml::table shown = effective({"--config", file});
  ASSERT_NE(shown["allow_network"].as_array(), nullptr);
  EXPECT_EQ(shown["allow_network"].as_array()->size(), 2u);
  EXPECT_EQ(shown["allow_network"][1].value<std::string>(), "fd00::/8");

  ::setenv("HOOKLINE_ALLOW_NETWORK", "192.168.0.0/16", 1);
  EXPECT_EQ(effective({"--config", file})["allow_network"].as_array()->size(), 1u);
}

TEST_F(LayeredConfigTest, UnknownKeyStopsStartUpNamingIt) {
  const std::string file = writeConfig("batch_size = 10\nbatchsize = 20\n");
  const CliRun run = runCli({"serve", "--config", file, "--print-config"});
  EXPECT_NE(run.error.find("unknown key 'batchsize'"), std::string::npos) << run.error;
  const std::string table = writeConfig("[serve]\nbatch_size = 10\n");
  EXPECT_NE(runCli({"serve", "--config", table}).error.find("'serve' is a table"),
            std::string::npos);
  const std::string broken = writeConfig("batch_size = = 1\n");
  EXPECT_NE(runCli({"serve", "--config", broken}).error.find("--config"), std::string::npos);
}

TEST_F(LayeredConfigTest, BadValuesStopStartUpNamingTheKeyAndSource) {
  const std::string words = writeConfig("batch_size = \"lots\"\n");
  auto run = runCli({"serve", "--config", words, "--print-config"});
  EXPECT_NE(run.error.find("batch_size"), std::string::npos) << run.error;
  EXPECT_NE(run.error.find("config file"), std::string::npos) << run.error;

  const std::string out_of_range = writeConfig("batch_size = 0\n");
  run = runCli({"serve", "--config", out_of_range, "--print-config"});
  EXPECT_NE(run.error.find("batch_size"), std::string::npos) << run.error;

  ::setenv("HOOKLINE_BATCH_SIZE", "-5", 1);
  run = runCli({"serve", "--print-config"});
  EXPECT_NE(run.error.find("HOOKLINE_BATCH_SIZE"), std::string::npos) << run.error;
  ::unsetenv("HOOKLINE_BATCH_SIZE");

  // Checked at start-up rather than by the option itself: still named as a key.
  const std::string schedule = writeConfig("retry_schedule = \"soon\"\n");
  run = runCli({"worker", "--config", schedule});
  EXPECT_EQ(run.error.rfind("retry_schedule (from config file ", 0), 0u) << run.error;
}

TEST_F(LayeredConfigTest, PrintConfigMasksTheRedisPassword) {
  const std::string file = writeConfig("redis = \"redis://app:hunter2@127.0.0.1:6390/2\"\n");
  const CliRun run = runCli({"serve", "--config", file, "--print-config"});
  EXPECT_EQ(run.error, "");
  EXPECT_EQ(run.out.find("hunter2"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("redis = \"redis://app:****@127.0.0.1:6390/2\""), std::string::npos)
      << run.out;

  ::setenv("HOOKLINE_REDIS_URL", "redis://:s3cret@127.0.0.1:6391", 1);
  const CliRun from_env = runCli({"serve", "--config", file, "--print-config"});
  EXPECT_EQ(from_env.out.find("s3cret"), std::string::npos) << from_env.out;
  EXPECT_NE(from_env.out.find("redis://:****@127.0.0.1:6391"), std::string::npos) << from_env.out;
}

}  // namespace
}  // namespace hookline
