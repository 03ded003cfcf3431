#include "common/ip_address.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <gtest/gtest.h>

namespace hookline {
namespace {

std::string v4Text(std::string_view text) {
  auto address = parseIpv4Number(text);
  return address ? address->toString() : "invalid";
}

TEST(IpAddressTest, ParsesStrictIpv4AndIpv6) {
  EXPECT_EQ(parseIpAddress("127.0.0.1")->toString(), "127.0.0.1");
  EXPECT_TRUE(parseIpAddress("127.0.0.1")->isV4());
  EXPECT_EQ(parseIpAddress("::1")->toString(), "::1");
  EXPECT_EQ(parseIpAddress("::FFFF:7F00:1")->toString(), "::ffff:127.0.0.1");
  EXPECT_EQ(parseIpAddress("2001:db8::1")->size(), 16u);
}

TEST(IpAddressTest, StrictParsingRefusesOtherSpellings) {
  for (const char* text :
       {"", "127.1", "2130706433", "0x7f.0.0.1", "0177.0.0.1", "127.0.0.1.", "256.0.0.1",
        "1.2.3.4.5", "[::1]", "fe80::1%eth0", "::g", "a.b.c.d", "127.0.0.01", " 127.0.0.1"}) {
    EXPECT_FALSE(parseIpAddress(text).has_value()) << text;
  }
}

TEST(IpAddressTest, Ipv4NumbersFollowInetAton) {
  EXPECT_EQ(v4Text("127.0.0.1"), "127.0.0.1");
  EXPECT_EQ(v4Text("127.1"), "127.0.0.1");
  EXPECT_EQ(v4Text("127.2"), "127.0.0.2");
  EXPECT_EQ(v4Text("127.0.1"), "127.0.0.1");
  EXPECT_EQ(v4Text("2130706434"), "127.0.0.2");
  EXPECT_EQ(v4Text("0x7f000002"), "127.0.0.2");
  EXPECT_EQ(v4Text("0X7F.1"), "127.0.0.1");
  EXPECT_EQ(v4Text("0177.0.0.1"), "127.0.0.1");
  EXPECT_EQ(v4Text("017700000001"), "127.0.0.1");
  EXPECT_EQ(v4Text("0"), "0.0.0.0");
  EXPECT_EQ(v4Text("0.0.0.0"), "0.0.0.0");
  EXPECT_EQ(v4Text("4294967295"), "255.255.255.255");
  EXPECT_EQ(v4Text("169.254.43518"), "169.254.169.254");
}

TEST(IpAddressTest, Ipv4NumbersAgreeWithTheCLibrary) {
  for (const char* text : {"127.1", "2130706434", "0x7f000002", "0177.0.0.1", "10.1", "0x0a.0x1",
                           "1.2.65535", "192.168.0x1.1", "0", "017700000001"}) {
    in_addr expected{};
    ASSERT_EQ(inet_aton(text, &expected), 1) << text;
    auto parsed = parseIpv4Number(text);
    ASSERT_TRUE(parsed.has_value()) << text;
    EXPECT_EQ(parsed->v4Value(), ntohl(expected.s_addr)) << text;
  }
}

TEST(IpAddressTest, Ipv4NumbersRefuseWhatDoesNotFit) {
  for (const char* text : {"4294967296", "256.1", "1.256.1", "1.2.65536", "1.2.3.256", "1.2.3.4.5",
                           "08.0.0.1", "1..1", ".1", "1.", "0xg", "-1", "1e3", ""}) {
    EXPECT_FALSE(parseIpv4Number(text).has_value()) << text;
  }
}

TEST(IpAddressTest, ReadsSockaddrs) {
  sockaddr_in in{};
  in.sin_family = AF_INET;
  in.sin_addr.s_addr = htonl(0x7F000002);
  EXPECT_EQ(addressFromSockaddr(reinterpret_cast<sockaddr*>(&in))->toString(), "127.0.0.2");
  sockaddr_in6 in6{};
  in6.sin6_family = AF_INET6;
  inet_pton(AF_INET6, "::ffff:10.0.0.1", &in6.sin6_addr);
  EXPECT_EQ(addressFromSockaddr(reinterpret_cast<sockaddr*>(&in6))->toString(), "::ffff:10.0.0.1");
  sockaddr other{};
  other.sa_family = AF_UNIX;
  EXPECT_FALSE(addressFromSockaddr(&other).has_value());
}

TEST(CidrRangeTest, ParsesAndMatches) {
  auto range = CidrRange::parse("10.0.0.0/8");
  ASSERT_TRUE(range.ok());
  EXPECT_TRUE(range->contains(*parseIpAddress("10.255.1.2")));
  EXPECT_FALSE(range->contains(*parseIpAddress("11.0.0.0")));
  EXPECT_FALSE(range->contains(*parseIpAddress("::ffff:10.0.0.1")));  // the policy maps forms
  EXPECT_EQ(range->toString(), "10.0.0.0/8");

  auto host = CidrRange::parse("127.0.0.1");
  ASSERT_TRUE(host.ok());
  EXPECT_EQ(host->prefix(), 32);
  EXPECT_TRUE(host->contains(*parseIpAddress("127.0.0.1")));
  EXPECT_FALSE(host->contains(*parseIpAddress("127.0.0.2")));

  auto v6 = CidrRange::parse("fd00::/8");
  ASSERT_TRUE(v6.ok());
  EXPECT_TRUE(v6->contains(*parseIpAddress("fd12::1")));
  EXPECT_FALSE(v6->contains(*parseIpAddress("fe12::1")));

  auto everything = CidrRange::parse("0.0.0.0/0");
  ASSERT_TRUE(everything.ok());
  EXPECT_TRUE(everything->contains(*parseIpAddress("255.255.255.255")));
}

TEST(CidrRangeTest, RefusesBadRanges) {
  for (const char* text : {"", "10.0.0.0/", "10.0.0.0/33", "::/129", "10.0.0.0/-1", "10.0.0.0/8x",
                           "10.1/8", "localhost/32", "10.0.0.1/8", "fd00::1/8", "/8"}) {
    EXPECT_FALSE(CidrRange::parse(text).ok()) << text;
  }
  EXPECT_NE(CidrRange::parse("10.0.0.1/8").error().message.find("host bits"), std::string::npos);
}

}  // namespace
}  // namespace hookline
