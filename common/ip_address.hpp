#pragma once

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/expected.hpp"

namespace hookline {

// An IPv4 or IPv6 address as bytes in network order. An IPv4 address uses the first four bytes;
// an IPv4-mapped IPv6 address stays IPv6 here (the policy decides what it embeds).
class IpAddress {
 public:
  enum class Family { V4, V6 };

  static IpAddress v4(std::uint32_t host_order);
  static IpAddress v6(const std::array<std::uint8_t, 16>& bytes);

  Family family() const { return family_; }
  bool isV4() const { return family_ == Family::V4; }
  // 4 bytes for IPv4, 16 for IPv6.
  std::size_t size() const { return isV4() ? 4 : 16; }
  const std::array<std::uint8_t, 16>& bytes() const { return bytes_; }
  // The IPv4 address as a number in host order; only for isV4().
  std::uint32_t v4Value() const;
  // The value of bit `index` counted from the most significant bit of the first byte.
  bool bit(int index) const;

  // The usual text: dotted decimal, or RFC 5952 IPv6 ("::ffff:127.0.0.1").
  std::string toString() const;

  bool operator==(const IpAddress&) const = default;

 private:
  Family family_ = Family::V4;
  std::array<std::uint8_t, 16> bytes_{};
};

// The strict textual forms: dotted-quad IPv4 with decimal parts only ("127.0.0.1"), or IPv6 as
// inet_pton reads it, without brackets or zone. Anything else is nullopt.
std::optional<IpAddress> parseIpAddress(std::string_view text);

// IPv4 as inet_aton reads it, the way resolvers and browsers turn a host into an address:
// one to four parts separated by dots, each decimal, octal (leading 0) or hex (0x); the last
// part fills the bytes that remain ("127.1" is 127.0.0.1, "2130706434" is 127.0.0.2).
std::optional<IpAddress> parseIpv4Number(std::string_view text);

// The address in a sockaddr_in or sockaddr_in6; nullopt for other families.
std::optional<IpAddress> addressFromSockaddr(const sockaddr* address);

// A network written as "ADDRESS/PREFIX" (or a bare address, a single host). The address bits
// below the prefix must be zero, so a typo such as "10.0.0.1/8" is refused rather than guessed.
class CidrRange {
 public:
  static Expected<CidrRange> parse(std::string_view text);
  CidrRange(IpAddress base, int prefix) : base_(base), prefix_(prefix) {}

  bool contains(const IpAddress& address) const;
  const IpAddress& base() const { return base_; }
  int prefix() const { return prefix_; }
  std::string toString() const;

 private:
  IpAddress base_;
  int prefix_ = 0;
};

}  // namespace hookline
