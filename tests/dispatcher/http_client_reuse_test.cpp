// The client keeps the easy handles of transfers that ended well and reuses them, reset; these
// check that a reused handle carries nothing of its earlier request into the next one.

#include <string>

#include <gtest/gtest.h>

#include "tests/support/http_client_fixture.hpp"
#include "tools/receiver_server.hpp"

namespace hookline {
namespace {

class HttpClientReuseTest : public HttpClientFixture {};

TEST_F(HttpClientReuseTest, AReusedHandleSendsOnlyItsOwnRequest) {
  auto first_receiver = startReceiver();
  auto second_receiver = startReceiver();
  DeliveryRequest first = requestTo(first_receiver->url("/first?a=1"));
  first.body = std::string(20000, 'x');
  first.headers = {{"webhook-id", "evt_first"}, {"x-only-first", "1"}};
  ASSERT_TRUE(sendAndWait(first).succeeded());
  ASSERT_EQ(client_.idleHandles(), 1u);

  DeliveryRequest second = requestTo(second_receiver->url("/second"));
  second.headers = {{"webhook-id", "evt_second"}};
  const DeliveryResult result = sendAndWait(second);

  ASSERT_TRUE(result.succeeded()) << result.error;
  EXPECT_EQ(client_.idleHandles(), 1u) << "the kept handle was taken, then kept again";
  ASSERT_EQ(second_receiver->count(), 1u);
  const ReceivedRequest seen = second_receiver->requests().front();
  EXPECT_EQ(seen.target, "/second");
  EXPECT_EQ(seen.body, second.body);
  EXPECT_EQ(seen.header("content-length"), std::to_string(second.body.size()));
  EXPECT_EQ(seen.header("webhook-id"), "evt_second");
  EXPECT_EQ(seen.header("x-only-first"), "");
  EXPECT_EQ(first_receiver->count(), 1u);
}

TEST_F(HttpClientReuseTest, AReusedHandleStillFacesTheAddressGuardAndTheProtocolRules) {
  auto receiver = startReceiver();
  ASSERT_TRUE(sendAndWait(requestTo(receiver->url("/ok"))).succeeded());
  ASSERT_EQ(client_.idleHandles(), 1u);

  // 127.0.0.2 is outside the fixture's allow-list: the reused handle must still be judged.
  std::string inside = receiver->url("/inside");
  inside.replace(inside.find("127.0.0.1"), 9, "127.0.0.2");
  const DeliveryResult guarded = sendAndWait(requestTo(inside));
  EXPECT_TRUE(guarded.blocked) << guarded.error;

  DeliveryRequest plain = requestTo(receiver->url("/plain"));
  plain.allow_http = false;
  ASSERT_TRUE(sendAndWait(requestTo(receiver->url("/ok-again"))).succeeded());
  const DeliveryResult refused = sendAndWait(plain);
  EXPECT_NE(refused.curl_code, 0);
  EXPECT_EQ(receiver->count(), 2u);
}

TEST_F(HttpClientReuseTest, KeepsOnlyHandlesOfTransfersThatEndedWell) {
  auto receiver = startReceiver();
  std::string refused_url = receiver->url("/gone");
  receiver.reset();  // nothing listens on its port any more
  EXPECT_NE(sendAndWait(requestTo(refused_url)).curl_code, 0);
  EXPECT_EQ(client_.idleHandles(), 0u);

  auto answering =
      startReceiver([](const ReceivedRequest&) { return ReceiverReply{.status = 503}; });
  const DeliveryResult answered = sendAndWait(requestTo(answering->url("/busy")));
  EXPECT_EQ(answered.http_status, 503);
  EXPECT_EQ(client_.idleHandles(), 1u) << "an HTTP answer, whatever its status, ends well";
}

}  // namespace
}  // namespace hookline
