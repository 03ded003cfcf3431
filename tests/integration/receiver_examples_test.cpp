// The receiver examples of docs/receivers.md (docs/examples/receiver.js and receiver.py), run
// as the receivers of real hookline deliveries: they must accept the genuine ones, reject a
// tampered body, a wrong secret and a stale timestamp, and report a redelivered webhook-id.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>

#include "dispatcher/signer.hpp"
#include "registry/webhook_secret.hpp"
#include "tests/support/doc_examples.hpp"
#include "tests/support/engine_harness.hpp"
#include "tests/support/http_call.hpp"
#include "tests/support/stream_inspect.hpp"
#include "tests/support/wait.hpp"
#include "tools/event_producer.hpp"

namespace hookline::testing {
namespace {

using namespace std::chrono_literals;
using Json = nlohmann::json;

struct ReceiverExample {
  std::string name;
  std::string interpreter;
  std::string script;  // under docs/examples
};

std::ostream& operator<<(std::ostream& out, const ReceiverExample& example) {
  return out << example.name;
}

// One example receiver process, on a free port, with the given secret.
class ExampleReceiver {
 public:
  ExampleReceiver(const ReceiverExample& example, const std::string& secret) {
    const std::vector<std::string> argv = {example.interpreter, docExample(example.script).string(),
                                           "0"};
    ChildEnvironment environment = nodeEnvironment();
    environment.emplace_back("HOOKLINE_SECRET", secret);
    process_ = std::make_unique<ChildProcess>(argv, environment);
    const bool up = waitUntil(
        [&] {
          for (const auto& line : process_->jsonLines()) {
            const auto json = Json::parse(line);
            if (json.contains("listening")) {
              port_ = json["listening"].get<unsigned short>();
              return true;
            }
          }
          return !process_->running();
        },
        10s);
    if (!up || port_ == 0) {
      throw std::runtime_error(example.name + " did not start: " + process_->output());
    }
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  unsigned short port() const { return port_; }

  // The logged lines with a verdict ("accepted", "duplicate", "rejected", "processed").
  std::vector<Json> verdicts(const std::string& verdict) const {
    std::vector<Json> found;
    for (const auto& line : process_->jsonLines()) {
      auto json = Json::parse(line);
      if (json.value("verdict", "") == verdict) {
        found.push_back(std::move(json));
      }
    }
    return found;
  }

  bool waitForVerdicts(const std::string& verdict, std::size_t count) const {
    return waitUntil([&] { return verdicts(verdict).size() >= count; }, 10s);
  }

  std::string output() const { return process_->output(); }

 private:
  std::unique_ptr<ChildProcess> process_;
  unsigned short port_ = 0;
};

// Sends a captured delivery again, as it was or altered, straight to a receiver.
HttpCallResult resend(unsigned short port, const std::string& id, const std::string& timestamp,
                      const std::string& signature, const std::string& body) {
  return httpCall(port, "POST", "/hook",
                  {{"Content-Type", "application/json"},
                   {"webhook-id", id},
                   {"webhook-timestamp", timestamp},
                   {"webhook-signature", signature}},
                  body);
}

std::string secondsFromNow(std::chrono::seconds offset) {
  const auto at = std::chrono::system_clock::now() + offset;
  return std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch()).count());
}

class ReceiverExamplesTest : public ::testing::TestWithParam<ReceiverExample> {
 protected:
  void SetUp() override {
    requireExampleTools("standardwebhooks");
    harness_.createChannel("ch_1");
    // The first setWebhook creates the channel's secret; the receiver is then started with it.
    harness_.setWebhook("ch_1", harness_.receiver().url("capture"), EventMask::all());
    secret_ = harness_.webhooks().find("ch_1")->secret;
  }

  void emit(const std::string& channel, std::size_t count) {
    EmitPlan plan;
    plan.channels = {channel};
    plan.count = count;
    ASSERT_TRUE(emitEvents(harness_.redis(), harness_.stream(), plan).ok());
  }

  EngineHarness harness_;
  std::string secret_;
};

TEST_P(ReceiverExamplesTest, AcceptsGenuineDeliveriesAndReportsARedeliveredId) {
  ExampleReceiver receiver(GetParam(), secret_);
  harness_.setWebhook("ch_1", receiver.url(), EventMask::all());
  ASSERT_EQ(harness_.webhooks().find("ch_1")->secret, secret_) << "a new URL keeps the secret";

  emit("ch_1", 3);
  // The same event written twice, as a producer repeating an XADD would.
  for (int i = 0; i < 2; ++i) {
    xadd(harness_.redis(), harness_.stream(),
         {{"type", "message_status"},
          {"channel_id", "ch_1"},
          {"payload", R"({"statuses":[{"id":"wamid.X","status":"read"}]})"},
          {"event_id", "wamid_X_read"}});
  }

  ASSERT_TRUE(receiver.waitForVerdicts("accepted", 4)) << receiver.output();
  ASSERT_TRUE(receiver.waitForVerdicts("duplicate", 1)) << receiver.output();
  ASSERT_TRUE(receiver.waitForVerdicts("processed", 4)) << receiver.output();
  EXPECT_EQ(receiver.verdicts("accepted").size(), 4u) << receiver.output();
  EXPECT_EQ(receiver.verdicts("duplicate").at(0)["webhook_id"], "wamid_X_read");
  EXPECT_TRUE(receiver.verdicts("rejected").empty()) << receiver.output();
  // Both copies were answered 2xx, so hookline counts both delivered.
  EXPECT_TRUE(waitUntil([&] { return harness_.engine().stats().delivered.load() == 5; }, 10s))
      << harness_.describe();
}

TEST_P(ReceiverExamplesTest, RejectsATamperedBodyAndAStaleTimestamp) {
  emit("ch_1", 1);
  ASSERT_TRUE(harness_.receiver().waitForCount(1, 10s)) << harness_.describe();
  const ReceivedRequest genuine = harness_.receiver().requests().front();
  const std::string id = genuine.header("webhook-id");
  const std::string timestamp = genuine.header("webhook-timestamp");
  const std::string signature = genuine.header("webhook-signature");
  ExampleReceiver receiver(GetParam(), secret_);

  std::string tampered = genuine.body;
  tampered.replace(tampered.find("\"ch_1\""), 6, "\"ch_2\"");
  EXPECT_EQ(resend(receiver.port(), id, timestamp, signature, tampered).status, 401);
  EXPECT_EQ(resend(receiver.port(), id, timestamp, signature, genuine.body).status, 204);
  EXPECT_EQ(resend(receiver.port(), id, timestamp, signature, genuine.body).status, 204);

  // Correctly signed with the channel's secret, but ten minutes old or ahead: a replay.
  const auto signer = Signer::fromSecrets({secret_});
  ASSERT_TRUE(signer.ok());
  for (const auto offset : {-600s, 600s}) {
    const std::string stamp = secondsFromNow(offset);
    EXPECT_EQ(resend(receiver.port(), "evt_replayed", stamp,
                     signer->sign("evt_replayed", stamp, genuine.body), genuine.body)
                  .status,
              401);
  }

  ASSERT_TRUE(receiver.waitForVerdicts("rejected", 3)) << receiver.output();
  const auto rejected = receiver.verdicts("rejected");
  EXPECT_EQ(rejected.at(0)["reason"], "bad signature");
  EXPECT_EQ(rejected.at(1)["reason"], "stale timestamp");
  EXPECT_EQ(rejected.at(2)["reason"], "stale timestamp");
  EXPECT_EQ(receiver.verdicts("accepted").size(), 1u) << receiver.output();
  EXPECT_EQ(receiver.verdicts("duplicate").size(), 1u) << receiver.output();
}

// A receiver holding the wrong secret answers 401, which hookline dead-letters at once.
TEST_P(ReceiverExamplesTest, RejectsAWrongSecretAndHooklineDeadLetters) {
  ExampleReceiver receiver(GetParam(), generateWebhookSecret());
  harness_.setWebhook("ch_1", receiver.url(), EventMask::all());
  emit("ch_1", 1);

  ASSERT_TRUE(receiver.waitForVerdicts("rejected", 1)) << receiver.output();
  EXPECT_EQ(receiver.verdicts("rejected").at(0)["reason"], "bad signature");
  ASSERT_TRUE(
      waitUntil([&] { return harness_.streamLength(harness_.deadLetterStream()) == 1; }, 10s))
      << harness_.describe();
  const auto dead = readStream(harness_.redis(), harness_.deadLetterStream());
  EXPECT_EQ(fieldOf(dead.at(0), "dead_reason"), "rejected by receiver");
  EXPECT_EQ(fieldOf(dead.at(0), "dead_detail"), "http 401");
}

// After a rotation the header carries the new secret's signature first and the old one's
// second: a receiver with either secret accepts.
TEST_P(ReceiverExamplesTest, AcceptsEitherSecretDuringARotation) {
  ExampleReceiver old_receiver(GetParam(), secret_);
  harness_.setWebhook("ch_1", old_receiver.url(), EventMask::all());
  const auto rotated =
      httpCall(harness_.apiPort(), "POST", "/api/integrations/ch_1/webhook/rotateSecret",
               {{"X-API-Key", harness_.apiKey()}});
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  const std::string new_secret = Json::parse(rotated.body)["data"]["secret"];
  ASSERT_TRUE(
      waitUntil([&] { return harness_.webhooks().find("ch_1")->secret == new_secret; }, 2s));

  emit("ch_1", 1);
  ASSERT_TRUE(old_receiver.waitForVerdicts("accepted", 1)) << old_receiver.output();

  ExampleReceiver new_receiver(GetParam(), new_secret);
  harness_.setWebhook("ch_1", new_receiver.url(), EventMask::all());
  emit("ch_1", 1);
  ASSERT_TRUE(new_receiver.waitForVerdicts("accepted", 1)) << new_receiver.output();
  EXPECT_TRUE(old_receiver.verdicts("rejected").empty()) << old_receiver.output();
  EXPECT_TRUE(new_receiver.verdicts("rejected").empty()) << new_receiver.output();
}

INSTANTIATE_TEST_SUITE_P(Examples, ReceiverExamplesTest,
                         ::testing::Values(ReceiverExample{"node", "node", "receiver.js"},
                                           ReceiverExample{"python", kDebianPython, "receiver.py"}),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace hookline::testing
