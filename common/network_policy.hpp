#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/expected.hpp"
#include "common/ip_address.hpp"

namespace hookline {

// Why an address may not be a webhook's destination; Public means it may (DESIGN.md section 4).
enum class AddressClass {
  Public,
  ThisNetwork,    // 0.0.0.0/8; Linux connects 0.0.0.0 to the local host
  Loopback,       // 127.0.0.0/8, ::1
  Private,        // RFC 1918
  SharedCgnat,    // 100.64.0.0/10
  LinkLocal,      // 169.254.0.0/16 (cloud metadata), fe80::/10
  Broadcast,      // 255.255.255.255
  Multicast,      // 224.0.0.0/4, ff00::/8
  Documentation,  // 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32, 3fff::/20
  Benchmarking,   // 198.18.0.0/15, 2001:2::/48
  Reserved,       // 240.0.0.0/4, IETF protocol ranges, IPv6 outside 2000::/3, ...
  Unspecified,    // ::
  UniqueLocal,    // fc00::/7
};

// A short phrase for errors and logs: "loopback", "private (RFC 1918)".
std::string_view addressClassName(AddressClass kind);

// What an address is judged as. `embedded` tells which IPv6 form carried an IPv4 address that
// decided it ("IPv4-mapped", "NAT64", ...), empty when the address decided for itself.
struct AddressJudgement {
  AddressClass kind = AddressClass::Public;
  std::string embedded;

  bool isPublic() const { return kind == AddressClass::Public; }
  // "loopback", or "loopback (in an IPv4-mapped IPv6 address)".
  std::string describe() const;
};

// Classifies by the address an IPv6 form really reaches: IPv4-mapped (::ffff:0:0/96),
// IPv4-translated (::ffff:0:0:0/96), IPv4-compatible (::/96), NAT64 (64:ff9b::/96 and the
// local-use 64:ff9b:1::/48), 6to4 (2002::/16) and Teredo (2001::/32) are judged by the IPv4
// addresses they carry; when a form carries two (Teredo's server and client, or the two
// layouts a local-use NAT64 prefix allows) the address is blocked if either is.
AddressJudgement classifyAddress(const IpAddress& address);

// The operator's allow-list (--allow-network) over the classification: an address is allowed
// when it is public, or when it, or the IPv4 address it embeds, lies in an allow-listed range.
// So allowing 127.0.0.1/32 also allows ::ffff:127.0.0.1, and allowing ::ffff:127.0.0.0/120
// also allows 127.0.0.5.
//
// Threading: immutable after construction; share it freely.
class NetworkPolicy {
 public:
  NetworkPolicy() = default;
  explicit NetworkPolicy(std::vector<CidrRange> allowed);
  // Parses each "CIDR"; the first bad one is the error, naming it.
  static Expected<NetworkPolicy> fromStrings(const std::vector<std::string>& ranges);

  struct Verdict {
    bool allowed = false;
    AddressJudgement judgement;
    bool allow_listed = false;  // allowed only because of the allow-list
  };
  Verdict judge(const IpAddress& address) const;
  bool allows(const IpAddress& address) const { return judge(address).allowed; }

  const std::vector<CidrRange>& allowed() const { return allowed_; }

 private:
  bool inAllowList(const IpAddress& address) const;

  std::vector<CidrRange> allowed_;
};

}  // namespace hookline
