// --config for the commands that use the common options alone (account, channel, key, emit,
// sink, dlq): the file's Redis and names are applied, serve's keys in the same file are
// allowed and ignored, and a flag wins over the file. Run in-process with the whole command line
// of main(), against the shared test Redis.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "common/log.hpp"
#include "registry/registry_store.hpp"
#include "tests/support/stream_inspect.hpp"
#include "tests/support/test_redis.hpp"
#include "tools/commands.hpp"
#include "tools/local_redis.hpp"

namespace hookline {
namespace {

namespace fs = std::filesystem;

class CommandConfigTest : public ::testing::Test {
 protected:
  struct Run {
    int exit_code = 0;
    std::string out;
    std::string err;  // std::cerr and what() of a CLI error
  };

  void TearDown() override {
    fs::remove_all(dir_);
    log::setup("info");  // the sink test switched the process's logger to JSON
  }

  // A deployment's file: this test's Redis and names, plus keys only serve uses.
  std::string writeConfig(const std::string& names) {
    fs::create_directories(dir_);
    const fs::path path = dir_ / ("hookline" + std::to_string(files_++) + ".toml");
    std::ofstream(path) << "redis = \"" << redisUrl() << "\"\n"
                        << names << "batch_size = 17\nlisten = \"127.0.0.1:1\"\n";
    return path.string();
  }

  static std::string redisUrl() {
    return "redis://127.0.0.1:" + std::to_string(testing::sharedRedis().port());
  }

  // `hookline <args>` as main() builds it, standard output and error captured.
  static Run run(std::vector<std::string> args) {
    CLI::App app;
    CommonOptions common;
    addHooklineCli(app, common);
    args.insert(args.begin(), "hookline");
    std::vector<const char*> argv;
    for (const auto& arg : args) {
      argv.push_back(arg.c_str());
    }
    std::ostringstream out;
    std::ostringstream err;
    auto* old_out = std::cout.rdbuf(out.rdbuf());
    auto* old_err = std::cerr.rdbuf(err.rdbuf());
    Run result;
    try {
      app.parse(static_cast<int>(argv.size()), argv.data());
    } catch (const CLI::Error& error) {
      result.exit_code = error.get_exit_code();
      err << error.what();
    }
    std::cout.rdbuf(old_out);
    std::cerr.rdbuf(old_err);
    result.out = out.str();
    result.err = err.str();
    return result;
  }

  RedisLink link_ = testing::connectShared();
  std::string prefix_ = testing::uniquePrefix();
  fs::path dir_ = fs::temp_directory_path() /
                  ("hookline_command_config_test_" + std::to_string(::getpid()) + "_" +
                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
  int files_ = 0;
};

TEST_F(CommandConfigTest, AdminCommandsUseTheFilesRedisAndPrefixAndFlagsWin) {
  const std::string file_prefix = prefix_ + "file:";
  const std::string flag_prefix = prefix_ + "flag:";
  const std::string config = writeConfig("key_prefix = \"" + file_prefix + "\"\n");

  auto result = run({"--config", config, "account", "create", "acme"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  result = run({"channel", "create", "ch_1", "--account", "acme", "--config", config});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  result = run({"--config", config, "key", "create", "--account", "acme"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::string key = result.out.substr(0, result.out.find('\n'));

  RegistryStore from_file(link_, file_prefix);
  EXPECT_TRUE(from_file.accountExists("acme").value());
  EXPECT_EQ(from_file.channelAccount("ch_1").value(), "acme");
  EXPECT_EQ(from_file.accountForKey(key).value(), "acme");
  result = run({"--config", config, "key", "revoke", key});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_FALSE(from_file.accountForKey(key).value().has_value());

  result = run({"--config", config, "--key-prefix", flag_prefix, "account", "create", "beta"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(RegistryStore(link_, flag_prefix).accountExists("beta").value());
  EXPECT_FALSE(from_file.accountExists("beta").value());
}

TEST_F(CommandConfigTest, EmitAppendsToTheFilesStreamAndFlagsWin) {
  const std::string file_stream = prefix_ + "events_file";
  const std::string flag_stream = prefix_ + "events_flag";
  const std::string config = writeConfig("stream = \"" + file_stream + "\"\n");

  auto result = run({"emit", "--config", config, "--channel", "ch_1", "--count", "2"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(testing::readStream(link_, file_stream).size(), 2u);

  result = run(
      {"emit", "--config", config, "--stream", flag_stream, "--channel", "ch_1", "--count", "3"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(testing::readStream(link_, flag_stream).size(), 3u);
  EXPECT_EQ(testing::readStream(link_, file_stream).size(), 2u);
}

TEST_F(CommandConfigTest, DlqReadsTheFilesDeadLetterStreamAndFlagsWin) {
  const std::string file_dead = prefix_ + "dead_file";
  const std::string flag_dead = prefix_ + "dead_flag";
  // Told apart by channel: ids of two streams written in the same millisecond are equal.
  auto deadLetter = [](const std::string& channel) {
    return StreamFields{{"type", "message_status"},
                        {"channel_id", channel},
                        {"payload", "{}"},
                        {"dead_reason", "rejected by receiver"}};
  };
  testing::xadd(link_, file_dead, deadLetter("ch_in_file"));
  testing::xadd(link_, flag_dead, deadLetter("ch_in_flag"));
  const std::string config = writeConfig("dead_letter_stream = \"" + file_dead + "\"\n");

  auto result = run({"--config", config, "dlq", "list", "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("ch_in_file"), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find("ch_in_flag"), std::string::npos) << result.out;

  result = run({"--config", config, "dlq", "list", "--json", "--dead-letter-stream", flag_dead});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("ch_in_flag"), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find("ch_in_file"), std::string::npos) << result.out;

  const std::string events = prefix_ + "events";
  result = run({"--config", config, "--stream", events, "dlq", "replay", "--all"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(testing::readStream(link_, file_dead).empty());
  EXPECT_EQ(testing::readStream(link_, flag_dead).size(), 1u);
  EXPECT_EQ(testing::readStream(link_, events).size(), 1u);
}

TEST_F(CommandConfigTest, SinkLogsAsTheFileSaysAndFlagsWin) {
  // The file's `listen` is serve's; the sink keeps its own from the flag.
  const std::string config = writeConfig("log_format = \"json\"\n");
  auto sinkLog = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {
        "--config",   config, "sink",     "--quiet",
        "--duration", "0.1",  "--listen", "127.0.0.1:" + std::to_string(freeLoopbackPort())};
    args.insert(args.end(), extra.begin(), extra.end());
    ::testing::internal::CaptureStderr();
    ::testing::internal::CaptureStdout();
    const Run result = run(args);
    ::testing::internal::GetCapturedStdout();
    const std::string logged = ::testing::internal::GetCapturedStderr();
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return logged;
  };

  const std::string json = sinkLog({});
  EXPECT_NE(json.find("{\"ts\":"), std::string::npos) << json;
  EXPECT_NE(json.find("\"msg\":\"sink listening\""), std::string::npos) << json;

  const std::string text = sinkLog({"--log-format", "text"});
  EXPECT_NE(text.find("sink listening"), std::string::npos) << text;
  EXPECT_EQ(text.find("{\"ts\":"), std::string::npos) << text;
}

TEST_F(CommandConfigTest, AnUnknownKeyStopsTheseCommandsToo) {
  fs::create_directories(dir_);
  const std::string config = (dir_ / "typo.toml").string();
  std::ofstream(config) << "redis = \"" << redisUrl() << "\"\nkey_prefx = \"x:\"\n";
  const Run result = run({"--config", config, "account", "create", "acme"});
  EXPECT_EQ(result.exit_code, static_cast<int>(CLI::ExitCodes::ValidationError));
  EXPECT_NE(result.err.find("unknown key 'key_prefx'"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace hookline
