#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>

#include "engine/retry_store.hpp"
#include "registry/registry_store.hpp"
#include "tests/support/stream_inspect.hpp"
#include "tests/support/test_redis.hpp"
#include "tools/commands.hpp"

namespace hookline {
namespace {

using nlohmann::json;
using testing::xadd;

std::int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Prepared state: 5 entries, w1 holds 2 and w2 holds 1, 2 unread; 3 retries (overdue, in 5
// minutes, in 2 days); 3 dead letters of two reasons; one open circuit; ch_a has a webhook and
// recent attempts.
class StatusCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    prefix_ = testing::uniquePrefix();
    common_.redis_url = "redis://127.0.0.1:" + std::to_string(testing::sharedRedis().port());
    common_.stream = prefix_ + "events";
    common_.dead_letter_stream = prefix_ + "dead";
    common_.key_prefix = prefix_;
    common_.group = "hookline";

    for (int i = 0; i < 5; ++i) {
      xadd(link_, common_.stream,
           {{"type", "message_status"}, {"channel_id", "ch_a"}, {"payload", "{}"}});
    }
    run({"XGROUP", "CREATE", common_.stream, common_.group, "0"});
    run({"XREADGROUP", "GROUP", common_.group, "w1", "COUNT", "2", "STREAMS", common_.stream, ">"});
    run({"XREADGROUP", "GROUP", common_.group, "w2", "COUNT", "1", "STREAMS", common_.stream, ">"});

    addRetry("ch_a", "1-1", nowMs() - 1000);
    addRetry("ch_a", "1-2", nowMs() + 5 * 60'000);
    addRetry("ch_b", "1-3", nowMs() + 2 * 86'400'000LL);

    addDeadLetter("ch_a", "rejected by receiver");
    addDeadLetter("ch_a", "rejected by receiver");
    addDeadLetter("ch_b", "invalid entry");

    run({"HSET", prefix_ + "circuits", "127.0.0.1:9",
         R"({"state":"open","consecutive_failures":10,"next_probe_at_ms":123})"});

    RegistryStore store(link_, prefix_);
    ASSERT_TRUE(store.createAccount("acme").ok());
    ASSERT_TRUE(store.createChannel("ch_a", "acme").ok());
    EventMask mask;
    mask.set(EventKind::MessageStatus, true);
    ASSERT_TRUE(store
                    .putWebhook(WebhookConfig{.channel_id = "ch_a",
                                              .url = "https://127.0.0.1/h",
                                              .events = mask,
                                              .secret = "whsec_AAAA"})
                    .ok());
    for (const char* outcome : {"delivered", "delivered", "retry"}) {
      run({"LPUSH", prefix_ + "attempts:ch_a", json{{"outcome", outcome}}.dump()});
    }
  }

  void run(const std::vector<std::string>& args) {
    auto reply = link_.commandOk(args);
    ASSERT_TRUE(reply.ok()) << args[0] << ": " << reply.error().message;
  }

  void addRetry(const std::string& channel, const std::string& entry, std::int64_t due_ms) {
    RetryItem item{.id = common_.stream + "/" + entry,
                   .stream = common_.stream,
                   .event = Event{.entry_id = entry,
                                  .event_id = "evt_" + entry,
                                  .kind = EventKind::MessageStatus,
                                  .channel_id = channel,
                                  .payload = "{}"},
                   .attempts = 1,
                   .last_result = "http 503"};
    for (const auto& command : RetryStore(prefix_).scheduleCommands(item, due_ms)) {
      run(command);
    }
  }

  void addDeadLetter(const std::string& channel, const std::string& reason) {
    xadd(link_, common_.dead_letter_stream,
         {{"type", "message_status"}, {"channel_id", channel}, {"dead_reason", reason}});
  }

  // Runs `hookline status <args>` in-process; stdout is captured, so it is not a terminal.
  std::string status(std::vector<std::string> args) {
    CLI::App app;
    addStatusCommand(app, common_);
    args.insert(args.begin(), {"hookline", "status"});
    std::vector<const char*> argv;
    for (const auto& arg : args) {
      argv.push_back(arg.c_str());
    }
    ::testing::internal::CaptureStdout();
    app.parse(static_cast<int>(argv.size()), argv.data());
    return ::testing::internal::GetCapturedStdout();
  }

  RedisLink link_ = testing::connectShared();
  std::string prefix_;
  CommonOptions common_;
};

TEST_F(StatusCommandTest, WritesJsonWhenNotATerminal) {
  const json report = json::parse(status({}));
  EXPECT_EQ(report["stream"]["length"], 5);
  EXPECT_EQ(report["group"]["exists"], true);
  EXPECT_EQ(report["group"]["lag"], 2);
  EXPECT_EQ(report["group"]["pending"], 3);
  ASSERT_EQ(report["group"]["consumers"].size(), 2u);
  EXPECT_EQ(report["group"]["consumers"][0]["name"], "w1");
  EXPECT_EQ(report["group"]["consumers"][0]["pending"], 2);
  EXPECT_EQ(report["group"]["consumers"][1]["pending"], 1);

  EXPECT_EQ(report["retries"]["waiting"], 3);
  EXPECT_EQ(report["retries"]["by_due"]["overdue"], 1);
  EXPECT_EQ(report["retries"]["by_due"]["<10m"], 1);
  EXPECT_EQ(report["retries"]["by_due"][">24h"], 1);
  EXPECT_EQ(report["retries"]["by_due"]["<1m"], 0);

  EXPECT_EQ(report["dead_letters"]["count"], 3);
  EXPECT_EQ(report["dead_letters"]["by_reason"]["rejected by receiver"], 2);
  EXPECT_EQ(report["dead_letters"]["by_reason"]["invalid entry"], 1);

  ASSERT_EQ(report["circuits"].size(), 1u);
  EXPECT_EQ(report["circuits"][0]["endpoint"], "127.0.0.1:9");
  EXPECT_EQ(report["circuits"][0]["state"], "open");
  EXPECT_EQ(report["circuits"][0]["consecutive_failures"], 10);
  EXPECT_FALSE(report.contains("channels"));
}

TEST_F(StatusCommandTest, ChannelDetailsOnRequest) {
  const json report = json::parse(status({"--json", "--channel", "ch_a", "--channel", "ch_b"}));
  ASSERT_EQ(report["channels"].size(), 2u);
  const json& a = report["channels"][0];
  EXPECT_EQ(a["channel_id"], "ch_a");
  EXPECT_EQ(a["webhook"], true);
  EXPECT_EQ(a["events"], json::array({"message_status"}));
  EXPECT_EQ(a["retries_waiting"], 2);
  EXPECT_EQ(a["dead_letters"], 2);
  EXPECT_EQ(a["recent_attempts"]["delivered"], 2);
  EXPECT_EQ(a["recent_attempts"]["retry"], 1);
  const json& b = report["channels"][1];
  EXPECT_EQ(b["webhook"], false);
  EXPECT_EQ(b["retries_waiting"], 1);
  EXPECT_EQ(b["dead_letters"], 1);
}

// A two-column row of the table: the label in 22 columns, two spaces, the value.
std::string row(std::string label, const std::string& value) {
  label.resize(22, ' ');
  return label + "  " + value + "\n";
}

TEST_F(StatusCommandTest, TableForAPerson) {
  const std::string table = status({"--table", "--channel", "ch_a"});
  EXPECT_NE(table.find(row("  lag", "2")), std::string::npos) << table;
  EXPECT_NE(table.find("w1                      2           "), std::string::npos) << table;
  EXPECT_NE(table.find(row("  due overdue", "1")), std::string::npos) << table;
  EXPECT_NE(table.find(row("  rejected by receiver", "2")), std::string::npos) << table;
  EXPECT_NE(table.find("127.0.0.1:9"), std::string::npos) << table;
  EXPECT_NE(table.find("ch_a              active     2         2       delivered=2,retry=1"),
            std::string::npos)
      << table;
}

TEST_F(StatusCommandTest, EmptyRedisReportsAbsentGroupNotAnError) {
  common_.stream = prefix_ + "nothing";
  common_.dead_letter_stream = prefix_ + "nothing_dead";
  common_.key_prefix = prefix_ + "none:";
  const json report = json::parse(status({}));
  EXPECT_EQ(report["stream"]["length"], 0);
  EXPECT_EQ(report["group"]["exists"], false);
  EXPECT_EQ(report["retries"]["waiting"], 0);
  EXPECT_EQ(report["dead_letters"]["count"], 0);
}

}  // namespace
}  // namespace hookline
