#include "common/ip_address.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <charconv>
#include <cstring>
#include <vector>

namespace hookline {
namespace {

// One part of an inet_aton number: "0x1f" hex, "017" octal, "17" decimal. Values beyond 32 bits
// are refused; the caller checks each part against the room it has.
std::optional<std::uint64_t> parseNumberPart(std::string_view part) {
  int base = 10;
  if (part.size() >= 2 && part[0] == '0' && (part[1] == 'x' || part[1] == 'X')) {
    base = 16;
    part.remove_prefix(2);
    if (part.empty()) {
      return 0;  // inet_aton reads a bare "0x" as zero
    }
  } else if (part.size() >= 2 && part[0] == '0') {
    base = 8;
    part.remove_prefix(1);
  }
  if (part.empty()) {
    return std::nullopt;
  }
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(part.data(), part.data() + part.size(), value, base);
  if (error != std::errc() || end != part.data() + part.size() || value > 0xFFFFFFFFULL) {
    return std::nullopt;
  }
  return value;
}

bool allDecimalDigits(std::string_view text) {
  if (text.empty() || text.size() > 3) {
    return false;
  }
  for (char c : text) {
    if (c < '0' || c > '9') {
      return false;
    }
  }
  return true;
}

}  // namespace

IpAddress IpAddress::v4(std::uint32_t host_order) {
  IpAddress address;
  address.family_ = Family::V4;
  for (int i = 0; i < 4; ++i) {
    address.bytes_[i] = static_cast<std::uint8_t>(host_order >> (24 - 8 * i));
  }
  return address;
}

IpAddress IpAddress::v6(const std::array<std::uint8_t, 16>& bytes) {
  IpAddress address;
  address.family_ = Family::V6;
  address.bytes_ = bytes;
  return address;
}

std::uint32_t IpAddress::v4Value() const {
  return (std::uint32_t{bytes_[0]} << 24) | (std::uint32_t{bytes_[1]} << 16) |
         (std::uint32_t{bytes_[2]} << 8) | std::uint32_t{bytes_[3]};
}

bool IpAddress::bit(int index) const {
  return ((bytes_[index / 8] >> (7 - index % 8)) & 1) != 0;
}

std::string IpAddress::toString() const {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(isV4() ? AF_INET : AF_INET6, bytes_.data(), text, sizeof(text));
  return text;
}

std::optional<IpAddress> parseIpAddress(std::string_view text) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) {
    return std::nullopt;
  }
  const std::string copy(text);
  if (copy.find(':') != std::string::npos) {
    std::array<std::uint8_t, 16> bytes{};
    if (inet_pton(AF_INET6, copy.c_str(), bytes.data()) != 1) {
      return std::nullopt;
    }
    return IpAddress::v6(bytes);
  }
  // inet_pton's IPv4 is exactly four decimal parts; leading zeros are checked here because some
  // C libraries read them as octal and some refuse them.
  std::uint32_t value = 0;
  std::size_t parts = 0;
  std::size_t start = 0;
  while (start <= copy.size()) {
    const auto dot = copy.find('.', start);
    const auto part = std::string_view(copy).substr(
        start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!allDecimalDigits(part) || (part.size() > 1 && part[0] == '0')) {
      return std::nullopt;
    }
    const auto number = parseNumberPart(part);
    if (!number || *number > 255 || ++parts > 4) {
      return std::nullopt;
    }
    value = (value << 8) | static_cast<std::uint32_t>(*number);
    if (dot == std::string::npos) {
      break;
    }
    start = dot + 1;
  }
  if (parts != 4) {
    return std::nullopt;
  }
  return IpAddress::v4(value);
}

std::optional<IpAddress> parseIpv4Number(std::string_view text) {
  std::vector<std::uint64_t> parts;
  std::size_t start = 0;
  while (true) {
    const auto dot = text.find('.', start);
    const auto part =
        text.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    const auto number = parseNumberPart(part);
    if (!number || parts.size() == 4) {
      return std::nullopt;
    }
    parts.push_back(*number);
    if (dot == std::string_view::npos) {
      break;
    }
    start = dot + 1;
  }

  // Every part but the last is one byte; the last fills the rest.
  std::uint32_t value = 0;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    if (parts[i] > 255) {
      return std::nullopt;
    }
    value |= static_cast<std::uint32_t>(parts[i]) << (24 - 8 * i);
  }
  const int rest_bits = 32 - 8 * static_cast<int>(parts.size() - 1);
  if (rest_bits < 32 && parts.back() >= (std::uint64_t{1} << rest_bits)) {
    return std::nullopt;
  }
  value |= static_cast<std::uint32_t>(parts.back());
  return IpAddress::v4(value);
}

std::optional<IpAddress> addressFromSockaddr(const sockaddr* address) {
  if (address == nullptr) {
    return std::nullopt;
  }
  if (address->sa_family == AF_INET) {
    sockaddr_in in{};
    std::memcpy(&in, address, sizeof(in));
    return IpAddress::v4(ntohl(in.sin_addr.s_addr));
  }
  if (address->sa_family == AF_INET6) {
    sockaddr_in6 in6{};
    std::memcpy(&in6, address, sizeof(in6));
    std::array<std::uint8_t, 16> bytes{};
    std::memcpy(bytes.data(), &in6.sin6_addr, bytes.size());
    return IpAddress::v6(bytes);
  }
  return std::nullopt;
}

Expected<CidrRange> CidrRange::parse(std::string_view text) {
  const auto slash = text.find('/');
  const auto address = parseIpAddress(text.substr(0, slash));
  if (!address) {
    return Error{"'" + std::string(text) + "' is not an IP address or CIDR range"};
  }
  const int max_prefix = static_cast<int>(address->size() * 8);
  int prefix = max_prefix;
  if (slash != std::string_view::npos) {
    const auto digits = text.substr(slash + 1);
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (digits.empty() || error != std::errc() || end != digits.data() + digits.size() ||
        prefix < 0 || prefix > max_prefix) {
      return Error{"'" + std::string(text) + "' has an invalid prefix length"};
    }
  }
  for (int i = prefix; i < max_prefix; ++i) {
    if (address->bit(i)) {
      return Error{"'" + std::string(text) + "' has host bits set beyond the /" +
                   std::to_string(prefix) + " prefix"};
    }
  }
  return CidrRange(*address, prefix);
}

bool CidrRange::contains(const IpAddress& address) const {
  if (address.family() != base_.family()) {
    return false;
  }
  for (int i = 0; i < prefix_; ++i) {
    if (address.bit(i) != base_.bit(i)) {
      return false;
    }
  }
  return true;
}

std::string CidrRange::toString() const {
  return base_.toString() + "/" + std::to_string(prefix_);
}

}  // namespace hookline
