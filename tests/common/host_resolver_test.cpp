#include "common/host_resolver.hpp"

#include <gtest/gtest.h>

namespace hookline {
namespace {

// Only numeric hosts: getaddrinfo answers them itself, so no DNS server is ever asked.
TEST(HostResolverTest, SystemResolverAnswersNumericHostsWithoutDns) {
  const HostResolver resolve = systemResolver();
  auto v4 = resolve("127.0.0.2");
  ASSERT_TRUE(v4.ok()) << v4.error().message;
  ASSERT_FALSE(v4->empty());
  EXPECT_EQ(v4->front().toString(), "127.0.0.2");

  // inet_aton spellings mean the same address to the C library as to the URL policy.
  auto short_form = resolve("127.2");
  ASSERT_TRUE(short_form.ok()) << short_form.error().message;
  EXPECT_EQ(short_form->front().toString(), "127.0.0.2");

  auto v6 = resolve("::ffff:127.0.0.2");
  ASSERT_TRUE(v6.ok()) << v6.error().message;
  EXPECT_EQ(v6->front().toString(), "::ffff:127.0.0.2");
}

TEST(HostResolverTest, RefusesWhenTooManyLookupsArePending) {
  const HostResolver resolve = systemResolver(std::chrono::seconds(3), 0);
  auto result = resolve("127.0.0.1");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message, "could not be resolved (resolver busy)");
}

}  // namespace
}  // namespace hookline
