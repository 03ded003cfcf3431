// Deliveries over HTTPS (issue 4 item 3): the receiver's certificate chain and host name are
// always verified against the trusted CAs, and a certificate that fails either check is a
// network error that is retried, never a delivery and never a dead letter.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

#include "tests/support/engine_harness.hpp"
#include "tests/support/stream_inspect.hpp"
#include "tests/support/test_pki.hpp"
#include "tests/support/wait.hpp"

namespace hookline::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class TlsDeliveryTest : public ::testing::Test {
 protected:
  // A harness whose receiver serves `certificate` and whose engine trusts the test CA.
  std::unique_ptr<EngineHarness> harnessServing(const TestCertificate& certificate) {
    EngineHarness::Options options;
    options.receiver.tls_cert_file = certificate.cert_file;
    options.receiver.tls_key_file = certificate.key_file;
    options.engine.http.ca_file = pki_.caFile();
    options.engine.retry.delays = {200ms, 200ms, 200ms, 200ms, 200ms, 200ms};
    options.engine.retry.jitter = 0;
    options.engine.retry_poll = 20ms;
    auto harness = std::make_unique<EngineHarness>(std::move(options));
    harness->createChannel("ch_tls");
    const std::string url = harness->receiver().url("tls");
    EXPECT_EQ(url.rfind("https://127.0.0.1:", 0), 0u) << url;
    harness->setWebhook("ch_tls", url, EventMask::all());
    return harness;
  }

  static void emitOne(EngineHarness& harness) {
    xadd(harness.redis(), harness.stream(),
         {{"type", "message_status"}, {"channel_id", "ch_tls"}, {"payload", R"({"s":1})"}});
  }

  // Two failed attempts, each a retried network error from certificate verification; nothing
  // reached the receiver's HTTP layer and nothing was dead-lettered.
  static void expectRetriedVerificationFailure(EngineHarness& harness) {
    ASSERT_TRUE(
        waitUntil([&] { return harness.engine().stats().attempts_failed.load() >= 2; }, 15s))
        << harness.describe();
    EXPECT_EQ(harness.receiver().count(), 0u);
    EXPECT_EQ(harness.engine().stats().delivered.load(), 0u);
    EXPECT_EQ(harness.engine().stats().dead_lettered.load(), 0u);
    EXPECT_EQ(harness.streamLength(harness.deadLetterStream()), 0);
    EXPECT_GE(harness.engine().stats().retries_scheduled.load(), 2u);
    ASSERT_TRUE(waitUntil(
        [&] { return attemptRecords(harness.redis(), harness.prefix(), "ch_tls").size() >= 2; },
        5s));
    for (const auto& text : attemptRecords(harness.redis(), harness.prefix(), "ch_tls")) {
      const json record = json::parse(text);
      EXPECT_EQ(record["outcome"], "retry") << text;
      const std::string error = record.value("error", "");
      EXPECT_EQ(error.rfind("network:", 0), 0u) << text;
      EXPECT_NE(error.find("(curl 60)"), std::string::npos) << text;  // peer verification
    }
  }

  TestPki pki_;
};

TEST_F(TlsDeliveryTest, DeliversOverHttpsToACertificateFromTheTrustedTestCa) {
  auto harness = harnessServing(pki_.issue("receiver", TestPki::kLoopbackNames));

  emitOne(*harness);

  ASSERT_TRUE(harness->receiver().waitForCount(1, 10s)) << harness->describe();
  ASSERT_TRUE(waitUntil([&] { return harness->engine().stats().delivered.load() == 1; }, 5s));
  EXPECT_EQ(harness->engine().stats().attempts_failed.load(), 0u);
  EXPECT_FALSE(harness->receiver().requests().front().header("webhook-signature").empty());
}

TEST_F(TlsDeliveryTest, SelfSignedCertificateIsARetriedNetworkError) {
  auto harness = harnessServing(pki_.selfSigned("self", TestPki::kLoopbackNames));
  emitOne(*harness);
  expectRetriedVerificationFailure(*harness);
}

TEST_F(TlsDeliveryTest, CertificateFromAnUnknownCaIsARetriedNetworkError) {
  TestPki unknown("some other CA");
  auto harness = harnessServing(unknown.issue("receiver", TestPki::kLoopbackNames));
  emitOne(*harness);
  expectRetriedVerificationFailure(*harness);
}

TEST_F(TlsDeliveryTest, CertificateForAnotherHostIsARetriedNetworkError) {
  // Signed by the trusted CA, but for a name that is not the one in the webhook URL.
  auto harness = harnessServing(pki_.issue("wrong-host", "DNS:wrong-host.test,IP:127.0.0.2"));
  emitOne(*harness);
  expectRetriedVerificationFailure(*harness);
}

}  // namespace
}  // namespace hookline::testing
