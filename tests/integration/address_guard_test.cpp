// Field cases B23 and B24 end to end: what the API refuses to register, and what the dispatcher
// refuses to connect to or follow, with the harness's allow-list of exactly 127.0.0.1/32.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <thread>

#include "tests/support/connection_counter.hpp"
#include "tests/support/engine_harness.hpp"
#include "tests/support/fake_resolver.hpp"
#include "tests/support/group_inspect.hpp"
#include "tests/support/scripted_replies.hpp"
#include "tests/support/stream_inspect.hpp"
#include "tests/support/wait.hpp"
#include "tests/support/worker_process.hpp"
#include "tools/api_client.hpp"
#include "tools/local_redis.hpp"

namespace hookline::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr const char* kInvalidUrl = "Invalid webhook URL";

void emitOne(EngineHarness& harness, const std::string& channel) {
  xadd(harness.redis(), harness.stream(),
       {{"type", "message_status"}, {"channel_id", channel}, {"payload", R"({"status":"read"})"}});
}

// The call's answer, expected to be 400 "Invalid webhook URL" with a reason for "url".
void expectInvalidUrl(EngineHarness& harness, const std::string& channel, const std::string& url) {
  auto reply = callSetWebhook(harness.apiUrl(), harness.apiKey(), channel, url, EventMask::all());
  ASSERT_TRUE(reply.ok()) << reply.error().message;
  EXPECT_EQ(reply->status, 400) << url << ": " << reply->body;
  const auto body = json::parse(reply->body, nullptr, false);
  ASSERT_TRUE(body.is_object()) << reply->body;
  EXPECT_EQ(body["message"], kInvalidUrl) << url;
  ASSERT_TRUE(body["errors"].is_array() && body["errors"].size() == 1) << reply->body;
  EXPECT_EQ(body["errors"][0]["field"], "url");
  EXPECT_FALSE(body["errors"][0]["reason"].get<std::string>().empty());
}

TEST(AddressGuardTest, B23a_DisguisedInsideAddressesAreNotRegistered) {
  EngineHarness harness;
  harness.createChannel("ch_b23");

  for (const char* url :
       {"https://0.0.0.0:8443/", "https://[::ffff:127.0.0.2]:8443/", "https://2130706434:8443/",
        "https://0x7f000002:8443/", "https://127.2:8443/", "https://[::]:8443/",
        "https://user:pw@127.0.0.1:8443/", "https://0177.0.0.2:8443/", "https://[::1]:8443/",
        "https://[::127.0.0.2]:8443/", "https://[64:ff9b::7f00:2]:8443/",
        "https://169.254.169.254/"}) {
    expectInvalidUrl(harness, "ch_b23", url);
  }

  auto stored = harness.store().getWebhook("ch_b23");
  ASSERT_TRUE(stored.ok());
  EXPECT_FALSE(stored->has_value());
  EXPECT_EQ(harness.streamLength(harness.prefix() + "registry:changes"), 0);
}

// DNS rebinding: the name is public when registered and inside when delivered. The connect-time
// guard sees 127.0.0.2 (not in the allow-list) and no connection is made.
TEST(AddressGuardTest, B23b_NameReboundInsideAfterRegistrationIsBlockedAtConnectTime) {
  ConnectionCounter inside("127.0.0.2");
  const std::string port = std::to_string(inside.port());
  FakeResolver registration;
  registration.map("rebind.test", {kPublicTestAddress});
  EngineHarness::Options options;
  options.registration_resolver = registration.resolver();
  options.engine.http.resolve = {"rebind.test:" + port + ":127.0.0.2"};
  options.engine.retry.delays = {20ms, 20ms};
  options.engine.retry_poll = 20ms;
  EngineHarness harness(options);
  harness.createChannel("ch_b23");
  harness.setWebhook("ch_b23", "https://rebind.test:" + port + "/b23", EventMask::all());

  emitOne(harness, "ch_b23");

  ASSERT_TRUE(waitUntil([&] { return harness.streamLength(harness.deadLetterStream()) == 1; }, 10s))
      << harness.describe();
  const auto dead = readStream(harness.redis(), harness.deadLetterStream());
  EXPECT_EQ(fieldOf(dead[0], "dead_reason"), "blocked");
  EXPECT_EQ(fieldOf(dead[0], "dead_attempts"), "1");
  EXPECT_NE(fieldOf(dead[0], "dead_detail").find("127.0.0.2 is not public (loopback)"),
            std::string::npos)
      << fieldOf(dead[0], "dead_detail");
  ASSERT_TRUE(waitUntil([&] { return harness.pendingCount() == 0; }, 5s)) << harness.describe();
  const auto records = attemptRecords(harness.redis(), harness.prefix(), "ch_b23");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(json::parse(records[0])["outcome"], "blocked");
  EXPECT_EQ(harness.engine().stats().blocked.load(), 1u);
  EXPECT_EQ(harness.engine().stats().retries_scheduled.load(), 0u);

  std::this_thread::sleep_for(200ms);  // a retry, had one been scheduled, would fire by now
  EXPECT_EQ(inside.count(), 0);
  EXPECT_EQ(harness.streamLength(harness.deadLetterStream()), 1);
}

// Field case B24: a receiver's redirect to gopher:// aimed at a Redis never reaches it.
TEST(AddressGuardTest, B24_RedirectToGopherIsNotFollowedAndDeadLetteredAsThe3xx) {
  auto victim = LocalRedis::start();
  ASSERT_TRUE(victim.ok()) << victim.error().message;
  RedisOptions victim_options;
  victim_options.endpoint.port = (*victim)->port();
  RedisLink victim_link(victim_options);
  ASSERT_TRUE(victim_link.connect().ok());

  ScriptedReplies replies;
  EngineHarness::Options options;
  options.receiver_handler = replies.handler();
  EngineHarness harness(options);
  ReceiverReply redirect = replyWith(302);
  redirect.headers = {{"Location", "gopher://127.0.0.1:" + std::to_string((*victim)->port()) +
                                       "/_SET%20pwned%201"}};
  replies.script("/b24", {redirect});
  harness.createChannel("ch_b24");
  // The fourth URL of the case, http://127.0.0.1:8443/, is refused by B24OtherSchemes... in
  // api_errors_test.cpp; this harness runs with allow_http, as local receivers are plain http.
  const std::string victim_port = std::to_string((*victim)->port());
  for (const std::string& url :
       {"gopher://127.0.0.1:" + victim_port + "/_SET%20pwned%201",
        std::string("file:///etc/passwd"), "dict://127.0.0.1:" + victim_port + "/info"}) {
    expectInvalidUrl(harness, "ch_b24", url);
  }
  harness.setWebhook("ch_b24", harness.receiver().url("b24"), EventMask::all());

  emitOne(harness, "ch_b24");

  ASSERT_TRUE(waitUntil([&] { return harness.streamLength(harness.deadLetterStream()) == 1; }, 10s))
      << harness.describe();
  const auto dead = readStream(harness.redis(), harness.deadLetterStream());
  EXPECT_EQ(fieldOf(dead[0], "dead_reason"), "rejected by receiver");
  EXPECT_EQ(fieldOf(dead[0], "dead_detail"), "http 302");
  ASSERT_TRUE(waitUntil([&] { return harness.pendingCount() == 0; }, 5s));
  EXPECT_EQ(harness.receiver().count(), 1u);
  auto exists = victim_link.commandOk({"EXISTS", "pwned"});
  ASSERT_TRUE(exists.ok());
  EXPECT_EQ((*exists)->integer, 0);
}

// `hookline worker` arguments for the harness without its loopback allow-list, plus `extra`.
std::vector<std::string> workerWithoutAllowList(const EngineHarness& harness,
                                                const std::vector<std::string>& extra) {
  std::vector<std::string> args;
  for (const auto& arg : workerArgs(harness, "w1", extra)) {
    if (!args.empty() && args.back() == "--allow-network") {
      args.pop_back();  // drops "--allow-network 127.0.0.1/32"
      continue;
    }
    args.push_back(arg);
  }
  return args;
}

// DESIGN.md section 4: only the allow-list or the explicit development switch lifts the
// guard, and the switch is loud in the log.
TEST(AddressGuardTest, DevelopmentSwitchLiftsTheGuardAndSaysSoInTheLog) {
  EngineHarness::Options options;
  options.start_engine = false;
  EngineHarness harness(std::move(options));
  harness.createChannel("ch_dev");
  harness.setWebhook("ch_dev", harness.receiver().url("dev"), EventMask::all());

  {
    WorkerProcess guarded(workerWithoutAllowList(harness, {}));
    emitOne(harness, "ch_dev");
    ASSERT_TRUE(
        waitUntil([&] { return harness.streamLength(harness.deadLetterStream()) == 1; }, 10s))
        << guarded.logTail();
    EXPECT_EQ(fieldOf(readStream(harness.redis(), harness.deadLetterStream())[0], "dead_reason"),
              "blocked");
    EXPECT_EQ(harness.receiver().count(), 0u);
  }

  WorkerProcess open(workerWithoutAllowList(harness, {"--allow-any-address"}));
  emitOne(harness, "ch_dev");
  ASSERT_TRUE(harness.receiver().waitForCount(1, 10s)) << open.logTail();
  EXPECT_NE(open.logTail().find("--allow-any-address is on"), std::string::npos) << open.logTail();
}

}  // namespace
}  // namespace hookline::testing
