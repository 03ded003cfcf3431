#include "tools/progress_line.hpp"

#include <cstdio>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "tests/support/test_redis.hpp"
#include "tests/support/worker_process.hpp"

namespace hookline {
namespace {

using namespace std::chrono_literals;

const std::string kEmptyBar(40, '.');

TEST(ProgressLineTest, RendersBarCountsRateAndEta) {
  EXPECT_EQ(renderProgress(1200, 4800, 2s),
            "[" + std::string(10, '#') + std::string(30, '.') + "] 1200/4800  600/s  ETA 6s");
}

TEST(ProgressLineTest, EtaIsUnknownBeforeAnythingWasDone) {
  EXPECT_EQ(renderProgress(0, 100, 0s), "[" + kEmptyBar + "] 0/100  0/s  ETA --");
  EXPECT_EQ(renderProgress(0, 100, 3s), "[" + kEmptyBar + "] 0/100  0/s  ETA --");
}

TEST(ProgressLineTest, LongEtasUseMinutesAndHours) {
  EXPECT_EQ(renderProgress(10, 1910, 1s), "[" + kEmptyBar + "] 10/1910  10/s  ETA 3m10s");
  EXPECT_EQ(renderProgress(1, 7202, 1s), "[" + kEmptyBar + "] 1/7202  1/s  ETA 2h00m");
}

TEST(ProgressLineTest, DoneIsAFullBarWithNoTimeLeft) {
  EXPECT_EQ(renderProgress(50, 50, 5s), "[" + std::string(40, '#') + "] 50/50  10/s  ETA 0s");
  EXPECT_EQ(renderProgress(0, 0, 0s), "[" + std::string(40, '#') + "] 0/0  0/s  ETA 0s");
}

std::string contents(std::FILE* file) {
  std::fflush(file);
  std::rewind(file);
  std::string text;
  for (int c = std::fgetc(file); c != EOF; c = std::fgetc(file)) {
    text += static_cast<char>(c);
  }
  return text;
}

TEST(ProgressLineTest, DrawsOverOneLineAndEndsItOnFinish) {
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  ProgressLine line(out, 10, true, 1ms);
  std::this_thread::sleep_for(5ms);
  line.update(3);
  line.finish(10);
  const std::string text = contents(out);
  std::fclose(out);
  EXPECT_EQ(text.find('\n'), text.size() - 1) << text;
  EXPECT_EQ(text.front(), '\r');
  EXPECT_NE(text.find("] 3/10"), std::string::npos);
  EXPECT_NE(text.find("\r[" + std::string(40, '#') + "] 10/10"), std::string::npos);
}

TEST(ProgressLineTest, DisabledLineWritesNothing) {
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  EXPECT_FALSE(ProgressLine::enabledFor(out, false)) << "a file is not a terminal";
  ProgressLine line(out, 10, false, 1ms);
  std::this_thread::sleep_for(5ms);
  line.update(3);
  line.finish(10);
  EXPECT_EQ(contents(out), "");
  std::fclose(out);
}

// `hookline emit` into a file (not a terminal): only the summary line, no carriage returns or
// escape sequences.
TEST(ProgressLineTest, EmitToANonTerminalPrintsOnlyItsSummary) {
  const std::string stream = testing::uniquePrefix() + "events";
  testing::WorkerProcess emit({"emit", "--redis", testing::sharedRedis().url(), "--stream", stream,
                               "--channel", "ch_a", "--count", "20000", "--type", "message_status",
                               "--payload", R"({"n":1})"});
  ASSERT_EQ(emit.waitForExit(60s), 0) << emit.logTail();
  const std::string output = emit.logTail();

  EXPECT_TRUE(output.starts_with("emitted 20000 events to " + stream + " in ")) << output;
  EXPECT_EQ(output.find('\n'), output.size() - 1) << output;
  for (char c : output.substr(0, output.size() - 1)) {
    EXPECT_GE(static_cast<unsigned char>(c), 0x20) << "control character in: " << output;
  }
}

}  // namespace
}  // namespace hookline
