#include "engine/endpoint_queues.hpp"

#include <gtest/gtest.h>

namespace hookline {
namespace {

TEST(EndpointQueuesTest, EndpointIsSchemeHostAndPort) {
  EXPECT_EQ(endpointOf("https://Hooks.Example.com:8443/a/b?x=1#f"),
            "https://hooks.example.com:8443");
  EXPECT_EQ(endpointOf("http://127.0.0.1/x"), "http://127.0.0.1");
  EXPECT_EQ(endpointOf("https://user@host.test/x"), "https://host.test");
}

TEST(EndpointQueuesTest, QueuesAboveTheCapAndHandsOverInOrder) {
  EndpointQueues<int> queues(2);
  auto a = std::make_shared<int>(1);
  auto b = std::make_shared<int>(2);
  auto c = std::make_shared<int>(3);
  auto d = std::make_shared<int>(4);
  EXPECT_TRUE(queues.admit("e", a));
  EXPECT_TRUE(queues.admit("e", b));
  EXPECT_FALSE(queues.admit("e", c));
  EXPECT_FALSE(queues.admit("e", d));
  EXPECT_EQ(queues.waiting("e"), 2u);

  auto next = queues.release("e");
  ASSERT_TRUE(next);
  EXPECT_EQ(*next, 3);
  EXPECT_EQ(*queues.release("e"), 4);
  EXPECT_EQ(queues.release("e"), nullptr);
  EXPECT_EQ(queues.release("e"), nullptr);
  auto e = std::make_shared<int>(5);
  EXPECT_TRUE(queues.admit("e", e)) << "slots freed";
}

TEST(EndpointQueuesTest, OneFullEndpointDoesNotHoldBackAnother) {
  EndpointQueues<int> queues(1);
  auto a = std::make_shared<int>(1);
  auto b = std::make_shared<int>(2);
  auto c = std::make_shared<int>(3);
  EXPECT_TRUE(queues.admit("slow", a));
  EXPECT_FALSE(queues.admit("slow", b));
  EXPECT_TRUE(queues.admit("fast", c));
}

}  // namespace
}  // namespace hookline
