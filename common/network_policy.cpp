#include "common/network_policy.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <utility>

namespace hookline {
namespace {

struct Ipv4Block {
  std::uint32_t base;
  int prefix;
  AddressClass kind;
};

constexpr std::uint32_t ipv4(int a, int b, int c, int d) {
  return (static_cast<std::uint32_t>(a) << 24) | (static_cast<std::uint32_t>(b) << 16) |
         (static_cast<std::uint32_t>(c) << 8) | static_cast<std::uint32_t>(d);
}

// IANA's IPv4 special-purpose registry, minus the few entries that are globally reachable
// anycast services (192.0.0.9/32, 192.0.0.10/32), which webhooks have no use for either.
constexpr std::array kIpv4Blocks = {
    Ipv4Block{ipv4(0, 0, 0, 0), 8, AddressClass::ThisNetwork},
    Ipv4Block{ipv4(10, 0, 0, 0), 8, AddressClass::Private},
    Ipv4Block{ipv4(100, 64, 0, 0), 10, AddressClass::SharedCgnat},
    Ipv4Block{ipv4(127, 0, 0, 0), 8, AddressClass::Loopback},
    Ipv4Block{ipv4(169, 254, 0, 0), 16, AddressClass::LinkLocal},
    Ipv4Block{ipv4(172, 16, 0, 0), 12, AddressClass::Private},
    Ipv4Block{ipv4(192, 0, 0, 0), 24, AddressClass::Reserved},
    Ipv4Block{ipv4(192, 0, 2, 0), 24, AddressClass::Documentation},
    Ipv4Block{ipv4(192, 88, 99, 0), 24, AddressClass::Reserved},  // old 6to4 relay anycast
    Ipv4Block{ipv4(192, 168, 0, 0), 16, AddressClass::Private},
    Ipv4Block{ipv4(198, 18, 0, 0), 15, AddressClass::Benchmarking},
    Ipv4Block{ipv4(198, 51, 100, 0), 24, AddressClass::Documentation},
    Ipv4Block{ipv4(203, 0, 113, 0), 24, AddressClass::Documentation},
    Ipv4Block{ipv4(224, 0, 0, 0), 4, AddressClass::Multicast},
    Ipv4Block{ipv4(255, 255, 255, 255), 32, AddressClass::Broadcast},
    Ipv4Block{ipv4(240, 0, 0, 0), 4, AddressClass::Reserved},  // after the broadcast it holds
};

AddressClass classifyV4(std::uint32_t value) {
  for (const auto& block : kIpv4Blocks) {
    const std::uint32_t mask = block.prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - block.prefix);
    if ((value & mask) == block.base) {
      return block.kind;
    }
  }
  return AddressClass::Public;
}

using Bytes = std::array<std::uint8_t, 16>;

bool startsWith(const Bytes& bytes, std::initializer_list<std::uint8_t> prefix) {
  std::size_t i = 0;
  for (std::uint8_t byte : prefix) {
    if (bytes[i++] != byte) {
      return false;
    }
  }
  return true;
}

// The first `bits` bits of `bytes` equal those of `prefix` (given as 16 bytes).
bool inV6(const Bytes& bytes, const Bytes& prefix, int bits) {
  for (int i = 0; i < bits; ++i) {
    const int shift = 7 - i % 8;
    if (((bytes[i / 8] >> shift) & 1) != ((prefix[i / 8] >> shift) & 1)) {
      return false;
    }
  }
  return true;
}

std::uint32_t v4At(const Bytes& bytes, std::initializer_list<int> positions) {
  std::uint32_t value = 0;
  for (int position : positions) {
    value = (value << 8) | bytes[position];
  }
  return value;
}

bool allZero(const Bytes& bytes, int from, int to) {
  for (int i = from; i < to; ++i) {
    if (bytes[i] != 0) {
      return false;
    }
  }
  return true;
}

// An IPv6 form that carries IPv4 addresses: which form, and the addresses (one or two).
struct Embedding {
  std::string_view form;
  std::vector<std::uint32_t> addresses;
};

std::optional<Embedding> embeddedIpv4(const Bytes& b) {
  const auto last32 = v4At(b, {12, 13, 14, 15});
  if (allZero(b, 0, 10) && b[10] == 0xFF && b[11] == 0xFF) {
    return Embedding{"IPv4-mapped", {last32}};
  }
  if (allZero(b, 0, 8) && b[8] == 0xFF && b[9] == 0xFF && b[10] == 0 && b[11] == 0) {
    return Embedding{"IPv4-translated", {last32}};
  }
  // ::/96 minus :: and ::1, which are judged as themselves.
  if (allZero(b, 0, 12) && last32 > 1) {
    return Embedding{"IPv4-compatible", {last32}};
  }
  if (startsWith(b, {0x00, 0x64, 0xFF, 0x9B}) && allZero(b, 4, 12)) {
    return Embedding{"NAT64", {last32}};
  }
  if (startsWith(b, {0x00, 0x64, 0xFF, 0x9B, 0x00, 0x01})) {
    // RFC 6052 lets a local-use prefix be /48 (IPv4 in bytes 6-7 and 9-10) or /96 (last 4).
    return Embedding{"NAT64", {v4At(b, {6, 7, 9, 10}), last32}};
  }
  if (startsWith(b, {0x20, 0x02})) {
    return Embedding{"6to4", {v4At(b, {2, 3, 4, 5})}};
  }
  if (startsWith(b, {0x20, 0x01, 0x00, 0x00})) {
    // Teredo: the server in bytes 4-7, the client obfuscated (inverted) in the last four.
    return Embedding{"Teredo", {v4At(b, {4, 5, 6, 7}), ~last32}};
  }
  return std::nullopt;
}

struct Ipv6Block {
  Bytes prefix;
  int bits;
  AddressClass kind;
};

const std::array kIpv6Blocks = {
    Ipv6Block{{0xFC}, 7, AddressClass::UniqueLocal},
    Ipv6Block{{0xFE, 0x80}, 10, AddressClass::LinkLocal},
    Ipv6Block{{0xFE, 0xC0}, 10, AddressClass::Reserved},  // deprecated site-local
    Ipv6Block{{0xFF}, 8, AddressClass::Multicast},
    Ipv6Block{{0x01, 0x00}, 64, AddressClass::Reserved},  // discard-only
    Ipv6Block{{0x20, 0x01, 0x0D, 0xB8}, 32, AddressClass::Documentation},
    Ipv6Block{{0x3F, 0xFF}, 20, AddressClass::Documentation},
    Ipv6Block{{0x20, 0x01, 0x00, 0x02}, 48, AddressClass::Benchmarking},
    Ipv6Block{{0x20, 0x01, 0x00, 0x10}, 28, AddressClass::Reserved},  // ORCHID
    Ipv6Block{{0x20, 0x01, 0x00, 0x20}, 28, AddressClass::Reserved},  // ORCHIDv2
    Ipv6Block{{0x20, 0x01}, 23, AddressClass::Reserved},              // IETF protocol assignments
    Ipv6Block{{0x5F, 0x00}, 16, AddressClass::Reserved},              // SRv6 SIDs
};

AddressJudgement classifyV6(const Bytes& bytes) {
  if (allZero(bytes, 0, 16)) {
    return {AddressClass::Unspecified, {}};
  }
  if (allZero(bytes, 0, 15) && bytes[15] == 1) {
    return {AddressClass::Loopback, {}};
  }
  if (auto embedding = embeddedIpv4(bytes)) {
    for (std::uint32_t address : embedding->addresses) {
      if (const auto kind = classifyV4(address); kind != AddressClass::Public) {
        return {kind, std::string(embedding->form)};
      }
    }
    // Teredo and 6to4 addresses are global unicast; the NAT64 forms reach their IPv4 address.
    return {AddressClass::Public, {}};
  }
  for (const auto& block : kIpv6Blocks) {
    if (inV6(bytes, block.prefix, block.bits)) {
      return {block.kind, {}};
    }
  }
  // Only 2000::/3 is allocated for global unicast; everything else is not reachable (yet).
  if ((bytes[0] & 0xE0) != 0x20) {
    return {AddressClass::Reserved, {}};
  }
  return {AddressClass::Public, {}};
}

}  // namespace

std::string_view addressClassName(AddressClass kind) {
  switch (kind) {
    case AddressClass::Public:
      return "public";
    case AddressClass::ThisNetwork:
      return "this network (0.0.0.0/8)";
    case AddressClass::Loopback:
      return "loopback";
    case AddressClass::Private:
      return "private (RFC 1918)";
    case AddressClass::SharedCgnat:
      return "shared address space (CGNAT 100.64.0.0/10)";
    case AddressClass::LinkLocal:
      return "link-local";
    case AddressClass::Broadcast:
      return "broadcast";
    case AddressClass::Multicast:
      return "multicast";
    case AddressClass::Documentation:
      return "documentation range";
    case AddressClass::Benchmarking:
      return "benchmarking range";
    case AddressClass::Reserved:
      return "reserved";
    case AddressClass::Unspecified:
      return "unspecified";
    case AddressClass::UniqueLocal:
      return "unique local (fc00::/7)";
  }
  return "unknown";
}

std::string AddressJudgement::describe() const {
  std::string text(addressClassName(kind));
  if (!embedded.empty()) {
    text += " (in an " + embedded + " IPv6 address)";
  }
  return text;
}

AddressJudgement classifyAddress(const IpAddress& address) {
  if (address.isV4()) {
    return {classifyV4(address.v4Value()), {}};
  }
  return classifyV6(address.bytes());
}

NetworkPolicy::NetworkPolicy(std::vector<CidrRange> allowed) : allowed_(std::move(allowed)) {}

Expected<NetworkPolicy> NetworkPolicy::fromStrings(const std::vector<std::string>& ranges) {
  std::vector<CidrRange> parsed;
  for (const auto& text : ranges) {
    auto range = CidrRange::parse(text);
    if (!range) {
      return range.error();
    }
    parsed.push_back(*range);
  }
  return NetworkPolicy(std::move(parsed));
}

NetworkPolicy::Verdict NetworkPolicy::judge(const IpAddress& address) const {
  Verdict verdict;
  verdict.judgement = classifyAddress(address);
  if (verdict.judgement.isPublic()) {
    verdict.allowed = true;
    return verdict;
  }
  verdict.allow_listed = inAllowList(address);
  verdict.allowed = verdict.allow_listed;
  return verdict;
}

bool NetworkPolicy::inAllowList(const IpAddress& address) const {
  // The address as written, its IPv4-mapped twin, and the IPv4 addresses it embeds; when it
  // embeds two, both must be allowed.
  std::vector<IpAddress> forms = {address};
  std::vector<IpAddress> embedded;
  if (address.isV4()) {
    Bytes mapped{};
    mapped[10] = 0xFF;
    mapped[11] = 0xFF;
    for (int i = 0; i < 4; ++i) {
      mapped[12 + i] = address.bytes()[i];
    }
    forms.push_back(IpAddress::v6(mapped));
  } else if (auto embedding = embeddedIpv4(address.bytes())) {
    for (std::uint32_t value : embedding->addresses) {
      embedded.push_back(IpAddress::v4(value));
    }
  }
  auto listed = [&](const IpAddress& candidate) {
    for (const auto& range : allowed_) {
      if (range.contains(candidate)) {
        return true;
      }
    }
    return false;
  };
  for (const auto& form : forms) {
    if (listed(form)) {
      return true;
    }
  }
  if (embedded.empty()) {
    return false;
  }
  for (const auto& candidate : embedded) {
    // A public half of a pair needs no allowing.
    if (!listed(candidate) && classifyV4(candidate.v4Value()) != AddressClass::Public) {
      return false;
    }
  }
  return true;
}

}  // namespace hookline
