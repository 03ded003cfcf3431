#include "tools/signature_check.hpp"

#include <charconv>
#include <cstdint>

#include "common/crypto.hpp"

namespace hookline {

SignatureVerdict checkSignature(const Signer& signer, std::string_view id,
                                std::string_view timestamp, std::string_view body,
                                std::string_view header, std::chrono::system_clock::time_point now,
                                std::chrono::seconds tolerance) {
  if (id.empty() || timestamp.empty() || header.empty()) {
    return SignatureVerdict::Missing;
  }
  std::int64_t seconds = 0;
  auto [end, ec] = std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), seconds);
  if (ec != std::errc() || end != timestamp.data() + timestamp.size()) {
    return SignatureVerdict::Stale;
  }
  const auto sent = std::chrono::system_clock::time_point(std::chrono::seconds(seconds));
  if (sent < now - tolerance || sent > now + tolerance) {
    return SignatureVerdict::Stale;
  }

  // The signer may hold several secrets; each of its entries is a candidate.
  const std::string expected = signer.sign(id, timestamp, body);
  std::string_view mine = expected;
  while (!mine.empty()) {
    const std::string_view candidate = mine.substr(0, mine.find(' '));
    std::string_view theirs = header;
    while (!theirs.empty()) {
      const std::string_view entry = theirs.substr(0, theirs.find(' '));
      if (crypto::constantTimeEqual(entry, candidate)) {
        return SignatureVerdict::Valid;
      }
      theirs.remove_prefix(std::min(theirs.size(), entry.size() + 1));
    }
    mine.remove_prefix(std::min(mine.size(), candidate.size() + 1));
  }
  return SignatureVerdict::Mismatch;
}

std::string_view signatureVerdictName(SignatureVerdict verdict) {
  switch (verdict) {
    case SignatureVerdict::Valid:
      return "valid";
    case SignatureVerdict::Missing:
      return "missing";
    case SignatureVerdict::Stale:
      return "stale";
    case SignatureVerdict::Mismatch:
      return "mismatch";
  }
  return "unknown";
}

}  // namespace hookline
