#include <gtest/gtest.h>

#include "dispatcher/signer.hpp"
#include "registry/webhook_secret.hpp"
#include "tests/support/engine_harness.hpp"
#include "tests/support/node_verifier.hpp"
#include "tests/support/scripted_replies.hpp"
#include "tests/support/stream_inspect.hpp"
#include "tests/support/wait.hpp"
#include "tools/event_producer.hpp"

namespace hookline::testing {
namespace {

using namespace std::chrono_literals;

// The public standardwebhooks npm package, not our own code, judges these signatures.
TEST(SignatureInteropTest, StandardWebhooksVerifiesRealDeliveriesAndRetries) {
  ScriptedReplies replies;
  replies.script("/flaky", {replyWith(503), replyWith(500), replyWith(200)});
  EngineHarness::Options options;
  options.receiver_handler = replies.handler();
  options.engine.retry.delays = {30ms, 30ms};
  options.engine.retry_poll = 20ms;
  EngineHarness harness(options);
  harness.createChannel("ch_ok");
  harness.createChannel("ch_flaky");
  harness.setWebhook("ch_ok", harness.receiver().url("ok"), EventMask::all());
  harness.setWebhook("ch_flaky", harness.receiver().url("flaky"), EventMask::all());

  EmitPlan plan;
  plan.channels = {"ch_ok"};
  plan.count = 10;
  ASSERT_TRUE(emitEvents(harness.redis(), harness.stream(), plan).ok());
  plan.channels = {"ch_flaky"};
  plan.count = 1;
  ASSERT_TRUE(emitEvents(harness.redis(), harness.stream(), plan).ok());
  ASSERT_TRUE(harness.receiver().waitForCount(13, 10s)) << harness.describe();

  std::vector<ReceivedRequest> ok_requests;
  std::vector<ReceivedRequest> flaky_requests;
  for (auto& request : harness.receiver().requests()) {
    (request.target == "/ok" ? ok_requests : flaky_requests).push_back(request);
  }
  ASSERT_EQ(flaky_requests.size(), 3u);
  const auto ok =
      verifyWithStandardWebhooks(ok_requests, {harness.webhooks().find("ch_ok")->secret});
  EXPECT_EQ(ok.verified, 10) << ok.failures;
  const auto flaky =
      verifyWithStandardWebhooks(flaky_requests, {harness.webhooks().find("ch_flaky")->secret});
  EXPECT_EQ(flaky.verified, 3) << flaky.failures;
}

TEST(SignatureInteropTest, DuringARotationBothSecretsVerify) {
  EngineHarness harness;
  harness.createChannel("ch_1");
  harness.setWebhook("ch_1", harness.receiver().url("hook"), EventMask::all());
  WebhookConfig rotated = *harness.webhooks().find("ch_1");
  const std::string old_secret = rotated.secret;
  rotated.previous_secret = old_secret;
  rotated.secret = generateWebhookSecret();
  rotated.previous_secret_expires_at_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(
          (std::chrono::system_clock::now() + 1h).time_since_epoch())
          .count();
  ASSERT_TRUE(harness.store().putWebhook(rotated).ok());
  ASSERT_TRUE(
      waitUntil([&] { return harness.webhooks().find("ch_1")->secret == rotated.secret; }, 2s));

  EmitPlan plan;
  plan.channels = {"ch_1"};
  plan.count = 5;
  ASSERT_TRUE(emitEvents(harness.redis(), harness.stream(), plan).ok());
  ASSERT_TRUE(harness.receiver().waitForCount(5, 10s)) << harness.describe();

  const auto requests = harness.receiver().requests();
  for (const auto& request : requests) {
    EXPECT_NE(request.header("webhook-signature").find(' '), std::string::npos)
        << "two signatures, space separated";
  }
  const auto verdict = verifyWithStandardWebhooks(requests, {old_secret, rotated.secret});
  EXPECT_EQ(verdict.verified, 10) << verdict.failures;
}

}  // namespace
}  // namespace hookline::testing
