#include "engine/api/url_rules.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/fake_resolver.hpp"

namespace hookline {
namespace {

using testing::FakeResolver;
using testing::kPublicTestAddress;

class UrlRulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    resolver_.map("hooks.example.com", {kPublicTestAddress})
        .map("dual.example.com", {kPublicTestAddress, "2606:4700:4700::1111"})
        .map("inside.example.com", {"10.1.2.3"})
        .map("mixed.example.com", {kPublicTestAddress, "127.0.0.1"})
        .map("metadata.example.com", {"169.254.169.254"})
        .map("mapped.example.com", {"::ffff:127.0.0.1"})
        .map("nat64.example.com", {"64:ff9b::a00:1"})
        .map("empty.example.com", {});
    rules_.resolve = resolver_.resolver();
  }

  std::string reason(const std::string& url) {
    auto status = checkWebhookUrl(url, rules_);
    return status ? "ok" : status.error().message;
  }

  void expectBlocked(const std::string& url, const std::string& why) {
    EXPECT_EQ(reason(url), "host is a non-public address (" + why + ")") << url;
  }

  FakeResolver resolver_;
  UrlRules rules_;
};

TEST_F(UrlRulesTest, NamesThatResolveToPublicAddressesAreAccepted) {
  EXPECT_EQ(reason("https://hooks.example.com/in"), "ok");
  EXPECT_EQ(reason("https://dual.example.com:8443/in?x=1"), "ok");
}

TEST_F(UrlRulesTest, PublicLiteralsAreAccepted) {
  EXPECT_EQ(reason("https://93.184.216.34/in"), "ok");
  EXPECT_EQ(reason("https://[2606:4700:4700::1111]/in"), "ok");
  EXPECT_EQ(reason("https://[::ffff:93.184.216.34]/in"), "ok");
}

// Field case B23 (a): every spelling of an inside address is judged by what it means.
TEST_F(UrlRulesTest, B23DisguisedLoopbackAndUnspecifiedAddressesAreRefused) {
  expectBlocked("https://0.0.0.0:8443/", "this network (0.0.0.0/8)");
  expectBlocked("https://0:8443/", "this network (0.0.0.0/8)");
  expectBlocked("https://2130706434:8443/", "loopback");
  expectBlocked("https://0x7f000002:8443/", "loopback");
  expectBlocked("https://127.2:8443/", "loopback");
  expectBlocked("https://127.1/", "loopback");
  expectBlocked("https://0177.0.0.1/", "loopback");
  expectBlocked("https://0x7f.0.0.1/", "loopback");
  expectBlocked("https://017700000001/", "loopback");
  expectBlocked("https://127.000.000.001/", "loopback");
  expectBlocked("https://127.0.0.1./", "loopback");
  // A percent-encoded host is refused before it is decoded (found by the URL fuzzer).
  EXPECT_EQ(reason("https://%31%32%37.0.0.1/"), "must not percent-encode the host");
  expectBlocked("https://[::]:8443/", "unspecified");
  expectBlocked("https://[::1]/", "loopback");
  expectBlocked("https://[0:0:0:0:0:0:0:1]/", "loopback");
  expectBlocked("https://[::ffff:127.0.0.2]:8443/", "loopback (in an IPv4-mapped IPv6 address)");
  expectBlocked("https://[::FFFF:7F00:2]/", "loopback (in an IPv4-mapped IPv6 address)");
  expectBlocked("https://[::127.0.0.1]/", "loopback (in an IPv4-compatible IPv6 address)");
  expectBlocked("https://[64:ff9b::127.0.0.1]/", "loopback (in an NAT64 IPv6 address)");
  expectBlocked("https://[64:ff9b::a9fe:a9fe]/", "link-local (in an NAT64 IPv6 address)");
  expectBlocked("https://[2002:7f00:1::]/", "loopback (in an 6to4 IPv6 address)");
  expectBlocked("https://[2002:a00:1::1]/", "private (RFC 1918) (in an 6to4 IPv6 address)");
}

TEST_F(UrlRulesTest, InsideRangesAreRefusedAsLiterals) {
  expectBlocked("https://10.0.0.1/", "private (RFC 1918)");
  expectBlocked("https://172.16.5.4/", "private (RFC 1918)");
  expectBlocked("https://192.168.1.1/", "private (RFC 1918)");
  expectBlocked("https://100.64.0.1/", "shared address space (CGNAT 100.64.0.0/10)");
  expectBlocked("https://169.254.169.254/latest/meta-data/", "link-local");
  expectBlocked("https://169.254.43518/", "link-local");
  expectBlocked("https://255.255.255.255/", "broadcast");
  expectBlocked("https://224.0.0.1/", "multicast");
  expectBlocked("https://240.0.0.1/", "reserved");
  expectBlocked("https://192.0.2.1/", "documentation range");
  expectBlocked("https://198.18.0.1/", "benchmarking range");
  expectBlocked("https://[fd00::1]/", "unique local (fc00::/7)");
  expectBlocked("https://[fe80::1]/", "link-local");
  expectBlocked("https://[ff02::1]/", "multicast");
  expectBlocked("https://[2001:db8::1]/", "documentation range");
}

TEST_F(UrlRulesTest, NumericHostsThatAreNotAddressesAreRefused) {
  for (const char* url :
       {"https://4294967296/", "https://1.2.3.4.5/", "https://08.0.0.1/", "https://256.1.1.1/",
        "https://1.2.3.256/", "https://example.123/", "https://b.0x1.0x2.0x3.0x4/"}) {
    EXPECT_EQ(reason(url), "has an invalid IPv4 address") << url;
  }
  // A last label that is not a number leaves the host a name, however it starts.
  resolver_.map("hooks.1a", {kPublicTestAddress}).map("0x7g", {kPublicTestAddress});
  EXPECT_EQ(reason("https://hooks.1a/"), "ok");
  EXPECT_EQ(reason("https://0x7g/"), "ok");
}

TEST_F(UrlRulesTest, NamesAreJudgedByEveryAddressTheyResolveTo) {
  EXPECT_EQ(reason("https://inside.example.com/"),
            "host resolves to a non-public address (private (RFC 1918))");
  EXPECT_EQ(reason("https://mixed.example.com/"),
            "host resolves to a non-public address (loopback)");
  EXPECT_EQ(reason("https://metadata.example.com/"),
            "host resolves to a non-public address (link-local)");
  EXPECT_EQ(reason("https://mapped.example.com/"),
            "host resolves to a non-public address (loopback (in an IPv4-mapped IPv6 address))");
  EXPECT_EQ(reason("https://nat64.example.com/"),
            "host resolves to a non-public address (private (RFC 1918) (in an NAT64 IPv6 "
            "address))");
}

TEST_F(UrlRulesTest, NamesMustResolve) {
  EXPECT_EQ(reason("https://unknown.example.com/"), "host does not resolve");
  EXPECT_EQ(reason("https://empty.example.com/"), "host does not resolve");
  EXPECT_EQ(reason("https://localhost/"), "host does not resolve");
}

TEST_F(UrlRulesTest, WithoutAResolverNamesAreRefused) {
  rules_.resolve = nullptr;
  EXPECT_EQ(reason("https://hooks.example.com/"),
            "host name cannot be checked (no resolver configured)");
  EXPECT_EQ(reason("https://93.184.216.34/"), "ok");  // literals need no resolver
}

TEST_F(UrlRulesTest, LiteralsNeverReachTheResolver) {
  int calls = 0;
  rules_.resolve = [&calls](const std::string&) -> Expected<std::vector<IpAddress>> {
    ++calls;
    return std::vector<IpAddress>{*parseIpAddress(kPublicTestAddress)};
  };
  reason("https://127.1/");
  reason("https://0x7f000002/");
  reason("https://[::1]/");
  reason("https://93.184.216.34/");
  EXPECT_EQ(calls, 0);
}

TEST_F(UrlRulesTest, AllowListLiftsTheBlockForItsRange) {
  rules_.network = *NetworkPolicy::fromStrings({"127.0.0.1/32", "10.1.0.0/16"});
  EXPECT_EQ(reason("https://127.0.0.1:8443/"), "ok");
  EXPECT_EQ(reason("https://127.1:8443/"), "ok");
  EXPECT_EQ(reason("https://2130706433/"), "ok");
  EXPECT_EQ(reason("https://[::ffff:127.0.0.1]/"), "ok");
  EXPECT_EQ(reason("https://inside.example.com/"), "ok");
  expectBlocked("https://127.0.0.2/", "loopback");
  expectBlocked("https://[::ffff:127.0.0.2]/", "loopback (in an IPv4-mapped IPv6 address)");
  expectBlocked("https://[::1]/", "loopback");
  EXPECT_EQ(reason("https://mixed.example.com/"), "ok");
  EXPECT_EQ(reason("https://metadata.example.com/"),
            "host resolves to a non-public address (link-local)");
}

TEST_F(UrlRulesTest, FormRulesStillComeFirst) {
  EXPECT_EQ(reason("https://user:pw@127.0.0.1:8443/"), "must not contain user information");
  EXPECT_EQ(reason("http://93.184.216.34/"), "must use https");
  EXPECT_EQ(reason("gopher://127.0.0.1:6390/_SET%20pwned%201"), "must use https");
  EXPECT_EQ(reason("dict://127.0.0.1:6390/info"), "must use https");
  EXPECT_EQ(reason("file:///etc/passwd"), "must use https");
  EXPECT_EQ(reason("https://hooks.example.com/#x"), "must not contain a fragment");
  // A zone is written percent-encoded ("%25"), which is refused as such.
  EXPECT_EQ(reason("https://[fe80::1%25eth0]/"), "must not percent-encode the host");
}

TEST_F(UrlRulesTest, NonAsciiHostsAreRefused) {
  // Full-width digits that IDN normalisation would turn into 127.0.0.1 when sending.
  EXPECT_EQ(reason("https://\xef\xbc\x91\xef\xbc\x92\xef\xbc\x97.0.0.1/"),
            "must have an ASCII host name (use the xn-- form of the name)");
  EXPECT_EQ(reason("https://xn--mnchen-3ya.example.com/"), "host does not resolve");
}

}  // namespace
}  // namespace hookline
