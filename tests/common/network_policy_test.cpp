#include "common/network_policy.hpp"

#include <gtest/gtest.h>

namespace hookline {
namespace {

AddressJudgement judge(std::string_view text) {
  auto address = parseIpAddress(text);
  EXPECT_TRUE(address.has_value()) << text;
  return address ? classifyAddress(*address) : AddressJudgement{AddressClass::Reserved, "?"};
}

AddressClass kindOf(std::string_view text) {
  return judge(text).kind;
}

NetworkPolicy allowing(std::vector<std::string> ranges) {
  auto policy = NetworkPolicy::fromStrings(ranges);
  EXPECT_TRUE(policy.ok());
  return policy.ok() ? *policy : NetworkPolicy{};
}

bool allows(const NetworkPolicy& policy, std::string_view text) {
  return policy.allows(*parseIpAddress(text));
}

struct Case {
  const char* address;
  AddressClass kind;
};

TEST(NetworkPolicyTest, ClassifiesEveryBlockedIpv4Range) {
  const Case cases[] = {
      {"0.0.0.0", AddressClass::ThisNetwork},        {"0.255.255.255", AddressClass::ThisNetwork},
      {"10.0.0.0", AddressClass::Private},           {"10.255.255.255", AddressClass::Private},
      {"100.64.0.0", AddressClass::SharedCgnat},     {"100.127.255.255", AddressClass::SharedCgnat},
      {"127.0.0.1", AddressClass::Loopback},         {"127.0.0.2", AddressClass::Loopback},
      {"127.255.255.255", AddressClass::Loopback},   {"169.254.169.254", AddressClass::LinkLocal},
      {"169.254.0.0", AddressClass::LinkLocal},      {"172.16.0.0", AddressClass::Private},
      {"172.31.255.255", AddressClass::Private},     {"192.0.0.1", AddressClass::Reserved},
      {"192.0.2.1", AddressClass::Documentation},    {"192.88.99.1", AddressClass::Reserved},
      {"192.168.0.1", AddressClass::Private},        {"192.168.255.255", AddressClass::Private},
      {"198.18.0.1", AddressClass::Benchmarking},    {"198.19.255.255", AddressClass::Benchmarking},
      {"198.51.100.7", AddressClass::Documentation}, {"203.0.113.9", AddressClass::Documentation},
      {"224.0.0.1", AddressClass::Multicast},        {"239.255.255.255", AddressClass::Multicast},
      {"240.0.0.1", AddressClass::Reserved},         {"254.1.2.3", AddressClass::Reserved},
      {"255.255.255.254", AddressClass::Reserved},   {"255.255.255.255", AddressClass::Broadcast},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(kindOf(c.address), c.kind) << c.address;
  }
}

TEST(NetworkPolicyTest, NeighboursOfBlockedIpv4RangesArePublic) {
  for (const char* address :
       {"1.1.1.1",         "9.255.255.255", "11.0.0.0",        "100.63.255.255",  "100.128.0.0",
        "126.255.255.255", "128.0.0.0",     "169.253.255.255", "169.255.0.0",     "172.15.255.255",
        "172.32.0.0",      "192.0.1.0",     "192.0.3.0",       "192.167.255.255", "192.169.0.0",
        "198.17.255.255",  "198.20.0.0",    "198.51.99.255",   "203.0.112.255",   "223.255.255.255",
        "93.184.216.34",   "8.8.8.8"}) {
    EXPECT_EQ(kindOf(address), AddressClass::Public) << address;
  }
}

TEST(NetworkPolicyTest, ClassifiesEveryBlockedIpv6Range) {
  const Case cases[] = {
      {"::", AddressClass::Unspecified},        {"::1", AddressClass::Loopback},
      {"fc00::1", AddressClass::UniqueLocal},   {"fdff:ffff::1", AddressClass::UniqueLocal},
      {"fe80::1", AddressClass::LinkLocal},     {"febf::1", AddressClass::LinkLocal},
      {"fec0::1", AddressClass::Reserved},      {"ff02::1", AddressClass::Multicast},
      {"ff0e::1", AddressClass::Multicast},     {"2001:db8::1", AddressClass::Documentation},
      {"3fff::1", AddressClass::Documentation}, {"2001:2::1", AddressClass::Benchmarking},
      {"100::1", AddressClass::Reserved},       {"2001:10::1", AddressClass::Reserved},
      {"2001:100::1", AddressClass::Reserved},  {"5f00::1", AddressClass::Reserved},
      {"4000::1", AddressClass::Reserved},      {"1::1", AddressClass::Reserved},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(kindOf(c.address), c.kind) << c.address;
  }
  EXPECT_EQ(kindOf("2606:4700:4700::1111"), AddressClass::Public);
  EXPECT_EQ(kindOf("2a00:1450::1"), AddressClass::Public);
}

TEST(NetworkPolicyTest, EmbeddedIpv4IsJudgedByTheAddressItCarries) {
  const struct {
    const char* address;
    AddressClass kind;
    const char* form;
  } cases[] = {
      {"::ffff:127.0.0.2", AddressClass::Loopback, "IPv4-mapped"},
      {"::ffff:0.0.0.0", AddressClass::ThisNetwork, "IPv4-mapped"},
      {"::ffff:169.254.169.254", AddressClass::LinkLocal, "IPv4-mapped"},
      {"::ffff:0:10.0.0.1", AddressClass::Private, "IPv4-translated"},
      {"::127.0.0.1", AddressClass::Loopback, "IPv4-compatible"},
      {"::192.168.1.1", AddressClass::Private, "IPv4-compatible"},
      {"64:ff9b::127.0.0.1", AddressClass::Loopback, "NAT64"},
      {"64:ff9b::10.1.2.3", AddressClass::Private, "NAT64"},
      {"64:ff9b:1:7f00:0:100::", AddressClass::Loopback, "NAT64"},          // /48 layout
      {"64:ff9b:1:808:8:800:a9fe:a9fe", AddressClass::LinkLocal, "NAT64"},  // /96 layout
      {"2002:7f00:1::", AddressClass::Loopback, "6to4"},
      {"2002:c0a8:101::1", AddressClass::Private, "6to4"},
      // Teredo: server 127.0.0.1, or client 10.0.0.1 stored inverted (f5ff:fffe).
      {"2001:0:7f00:1::1", AddressClass::Loopback, "Teredo"},
      {"2001:0:808:808::f5ff:fffe", AddressClass::Private, "Teredo"},
  };
  for (const auto& c : cases) {
    const auto judgement = judge(c.address);
    EXPECT_EQ(judgement.kind, c.kind) << c.address;
    EXPECT_EQ(judgement.embedded, c.form) << c.address;
  }
  EXPECT_EQ(judge("::ffff:127.0.0.2").describe(), "loopback (in an IPv4-mapped IPv6 address)");
}

TEST(NetworkPolicyTest, EmbeddedPublicIpv4IsPublic) {
  for (const char* address :
       {"::ffff:8.8.8.8", "64:ff9b::8.8.8.8", "2002:808:808::1", "2001:0:808:808::f7f7:f7f7"}) {
    EXPECT_EQ(kindOf(address), AddressClass::Public) << address;
  }
}

TEST(NetworkPolicyTest, WithoutAnAllowListOnlyPublicAddressesPass) {
  const NetworkPolicy policy;
  EXPECT_TRUE(allows(policy, "93.184.216.34"));
  EXPECT_FALSE(allows(policy, "127.0.0.1"));
  EXPECT_FALSE(allows(policy, "::1"));
  const auto verdict = policy.judge(*parseIpAddress("10.0.0.1"));
  EXPECT_FALSE(verdict.allowed);
  EXPECT_EQ(verdict.judgement.kind, AddressClass::Private);
}

TEST(NetworkPolicyTest, AllowListLiftsTheBlockForItsRangeOnly) {
  const auto policy = allowing({"127.0.0.1/32", "10.20.0.0/16"});
  EXPECT_TRUE(allows(policy, "127.0.0.1"));
  EXPECT_TRUE(policy.judge(*parseIpAddress("127.0.0.1")).allow_listed);
  EXPECT_FALSE(allows(policy, "127.0.0.2"));
  EXPECT_TRUE(allows(policy, "10.20.3.4"));
  EXPECT_FALSE(allows(policy, "10.21.0.1"));
  EXPECT_FALSE(allows(policy, "169.254.169.254"));
  EXPECT_FALSE(allows(policy, "::1"));
}

TEST(NetworkPolicyTest, AllowListMatchesMappedAndEmbeddedForms) {
  const auto policy = allowing({"127.0.0.1/32"});
  EXPECT_TRUE(allows(policy, "::ffff:127.0.0.1"));
  EXPECT_TRUE(allows(policy, "::ffff:0:127.0.0.1"));
  EXPECT_TRUE(allows(policy, "64:ff9b::127.0.0.1"));
  EXPECT_FALSE(allows(policy, "::ffff:127.0.0.2"));

  const auto mapped = allowing({"::ffff:127.0.0.0/120"});
  EXPECT_TRUE(allows(mapped, "127.0.0.5"));
  EXPECT_TRUE(allows(mapped, "::ffff:127.0.0.5"));
  EXPECT_FALSE(allows(mapped, "127.0.1.0"));

  const auto ula = allowing({"fd00::/8"});
  EXPECT_TRUE(allows(ula, "fd12::1"));
  EXPECT_FALSE(allows(ula, "fc00::1"));
}

TEST(NetworkPolicyTest, ATwoAddressFormNeedsBothAllowed) {
  // Teredo with server 127.0.0.1 and client 10.0.0.1: allowing one is not enough.
  const char* teredo = "2001:0:7f00:1::f5ff:fffe";
  EXPECT_FALSE(allows(allowing({"127.0.0.1/32"}), teredo));
  EXPECT_TRUE(allows(allowing({"127.0.0.1/32", "10.0.0.1/32"}), teredo));
}

TEST(NetworkPolicyTest, BadAllowListEntryIsNamed) {
  auto policy = NetworkPolicy::fromStrings({"127.0.0.1/32", "10.0.0.1/8"});
  ASSERT_FALSE(policy.ok());
  EXPECT_NE(policy.error().message.find("10.0.0.1/8"), std::string::npos);
}

}  // namespace
}  // namespace hookline
