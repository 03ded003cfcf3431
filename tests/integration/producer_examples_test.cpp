// The producer examples of docs/producers.md (docs/examples/produce.*), run as a reader of
// the guide would run them, against a real redis-server and a running engine.
#include <gtest/gtest.h>

#include <boost/crc.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "engine/event.hpp"
#include "tests/support/doc_examples.hpp"
#include "tests/support/engine_harness.hpp"
#include "tests/support/test_redis.hpp"
#include "tests/support/wait.hpp"

namespace hookline::testing {
namespace {

using namespace std::chrono_literals;

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::filesystem::path sample(const std::string& name) {
  return sourceDir() / "tools" / "samples" / (name + ".json");
}

// The examples print "<entry id>" (redis-cli) or "<stream> <entry id>" (Python, Node.js).
std::vector<std::string> words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string word; in >> word;) {
    out.push_back(word);
  }
  return out;
}

class ProducerExamplesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    requireExampleTools("ioredis");
    harness_.createChannel("ch_42");
    harness_.setWebhook("ch_42", harness_.receiver().url("hook"), EventMask::all());
  }

  // Runs one example with the guide's environment variables aimed at the test's Redis and
  // stream; returns what it printed. A failed run fails the test.
  std::string run(std::vector<std::string> argv, ChildEnvironment environment = {}) {
    environment.emplace_back("HOOKLINE_REDIS_URL", sharedRedis().url());
    if (std::none_of(environment.begin(), environment.end(),
                     [](const auto& pair) { return pair.first == "HOOKLINE_STREAM"; })) {
      environment.emplace_back("HOOKLINE_STREAM", harness_.stream());
    }
    for (auto& pair : nodeEnvironment()) {
      environment.push_back(pair);
    }
    const auto result = runProgram(argv, environment, 30s);
    EXPECT_EQ(result.exit_code, 0) << argv[0] << " " << argv[1] << ": " << result.output;
    return result.output;
  }

  // The delivery carrying `webhook_id`; fails the test when none arrives within 10 s.
  ReceivedRequest deliveryOf(const std::string& webhook_id) {
    ReceivedRequest found;
    const bool arrived = waitUntil(
        [&] {
          for (auto& request : harness_.receiver().requests()) {
            if (request.header("webhook-id") == webhook_id) {
              found = request;
              return true;
            }
          }
          return false;
        },
        10s);
    EXPECT_TRUE(arrived) << "no delivery with webhook-id " << webhook_id << "; "
                         << harness_.describe();
    return found;
  }

  EngineHarness harness_;
};

TEST_F(ProducerExamplesTest, RedisCliExampleIsDeliveredByteForByte) {
  const auto file = sample("message_status.read");
  const auto entry_id =
      words(run({docExample("produce.sh").string(), "ch_42", "message_status", file.string()}));
  ASSERT_EQ(entry_id.size(), 1u);

  // Without an event_id the webhook-id is derived from the stream and the entry id.
  const auto request = deliveryOf(deriveEventId(harness_.stream(), entry_id[0]));
  const std::string expected_tail = "\"data\":" + readFile(file) + "}";
  EXPECT_TRUE(request.body.ends_with(expected_tail)) << request.body;
  EXPECT_EQ(nlohmann::json::parse(request.body)["type"], "message_status");

  run({docExample("produce.sh").string(), "ch_42", "message_status", file.string(), "cli_1"});
  EXPECT_EQ(nlohmann::json::parse(deliveryOf("cli_1").body)["channel_id"], "ch_42");
}

TEST_F(ProducerExamplesTest, PythonExampleIsDelivered) {
  const auto file = sample("message_incoming.text");
  const auto printed = words(run({kDebianPython, docExample("produce.py").string(), "ch_42",
                                  "message_incoming", file.string(), "wamid_in_0001"}));
  ASSERT_EQ(printed.size(), 2u);
  EXPECT_EQ(printed[0], harness_.stream());

  const auto body = nlohmann::json::parse(deliveryOf("wamid_in_0001").body);
  EXPECT_EQ(body["type"], "message_incoming");
  EXPECT_EQ(body["data"], nlohmann::json::parse(readFile(file)));
}

TEST_F(ProducerExamplesTest, NodeExampleIsDelivered) {
  const auto file = sample("template_update.approved");
  const auto printed = words(
      run({"node", docExample("produce.js").string(), "ch_42", "template_update", file.string()}));
  ASSERT_EQ(printed.size(), 2u);
  EXPECT_EQ(printed[0], harness_.stream());

  // It makes up an evt_ id of its own; find the delivery by the entry it wrote.
  ASSERT_TRUE(harness_.receiver().waitForCount(1, 10s)) << harness_.describe();
  const auto request = harness_.receiver().requests().front();
  EXPECT_TRUE(request.header("webhook-id").starts_with("evt_"));
  const auto body = nlohmann::json::parse(request.body);
  EXPECT_EQ(body["type"], "template_update");
  EXPECT_EQ(body["data"], nlohmann::json::parse(readFile(file)));
}

// The idempotent-producer advice: an XADD repeated with the same event_id reaches the receiver
// as one webhook-id twice, which the receiver drops (hookline itself delivers both).
TEST_F(ProducerExamplesTest, RepeatedEventIdArrivesAsOneWebhookIdTwice) {
  const auto file = sample("message_status.delivered").string();
  run({kDebianPython, docExample("produce.py").string(), "ch_42", "message_status", file,
       "wamid_st_7"});
  run({"node", docExample("produce.js").string(), "ch_42", "message_status", file, "wamid_st_7"});

  ASSERT_TRUE(harness_.receiver().waitForCount(2, 10s)) << harness_.describe();
  for (const auto& request : harness_.receiver().requests()) {
    EXPECT_EQ(request.header("webhook-id"), "wamid_st_7");
  }
}

// Every producer must put a channel in the same shard: the Python and Node.js examples agree
// with each other and with CRC-32 modulo the shard count.
TEST_F(ProducerExamplesTest, PythonAndNodeChooseTheSameShard) {
  const std::string base = harness_.prefix() + "sharded";
  const auto file = sample("channel_update.display_name").string();
  for (const std::string channel : {"ch_1", "ch_42", "ch.eu-7", "acme_support"}) {
    boost::crc_32_type crc;
    crc.process_bytes(channel.data(), channel.size());
    const std::string expected = base + ":" + std::to_string(crc.checksum() % 3);

    const ChildEnvironment sharded = {{"HOOKLINE_STREAM", base}, {"HOOKLINE_SHARDS", "3"}};
    const auto python = words(
        run({kDebianPython, docExample("produce.py").string(), channel, "channel_update", file},
            sharded));
    const auto node = words(
        run({"node", docExample("produce.js").string(), channel, "channel_update", file}, sharded));
    ASSERT_EQ(python.size(), 2u);
    ASSERT_EQ(node.size(), 2u);
    EXPECT_EQ(python[0], expected) << channel;
    EXPECT_EQ(node[0], expected) << channel;
    EXPECT_GE(harness_.streamLength(expected), 2) << expected;
  }
}

// An example refuses what hookline would dead-letter, instead of writing it.
TEST_F(ProducerExamplesTest, ExamplesRefuseAnInvalidEventBeforeWriting) {
  const auto file = sample("message_status.read").string();
  const std::string unread = harness_.prefix() + "unread";  // no engine trims it
  for (const std::vector<std::string>& argv :
       {std::vector<std::string>{kDebianPython, docExample("produce.py").string(), "ch 42",
                                 "message_status", file},
        std::vector<std::string>{"node", docExample("produce.js").string(), "ch_42", "message_read",
                                 file}}) {
    ChildEnvironment environment = nodeEnvironment();
    environment.emplace_back("HOOKLINE_REDIS_URL", sharedRedis().url());
    environment.emplace_back("HOOKLINE_STREAM", unread);
    const auto result = runProgram(argv, environment, 30s);
    EXPECT_NE(result.exit_code, 0) << result.output;
  }
  EXPECT_EQ(harness_.streamLength(unread), 0);
}

}  // namespace
}  // namespace hookline::testing
