#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace hookline::crypto {

// Standard base64 with padding (RFC 4648 section 4).
std::string base64Encode(std::string_view bytes);
// Accepts padded standard base64; nullopt on any invalid character or length.
std::optional<std::string> base64Decode(std::string_view text);

// Unpadded base64url (RFC 4648 section 5), for tokens that travel in headers and URLs.
std::string base64UrlEncode(std::string_view bytes);

std::string sha256(std::string_view data);
std::string sha256Hex(std::string_view data);
std::string hmacSha256(std::string_view key, std::string_view data);

// Bytes from the operating system's CSPRNG (OpenSSL RAND_bytes); throws if it fails.
std::string randomBytes(std::size_t count);

// Compares in time that depends only on the lengths, never on where the bytes differ.
bool constantTimeEqual(std::string_view a, std::string_view b);

}  // namespace hookline::crypto
