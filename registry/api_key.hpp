#pragma once

#include <string>
#include <string_view>

namespace hookline {

// API keys look like "hk_" followed by the unpadded base64url of 32 random bytes. Only the
// SHA-256 of a key is ever stored; a key is looked up by that digest, so no stored secret is
// compared with what a client sent.
inline constexpr std::string_view kApiKeyPrefix = "hk_";
inline constexpr std::size_t kApiKeyRandomBytes = 32;

// A new key from the system CSPRNG. Throws only if the CSPRNG itself fails.
std::string generateApiKey();

// Lower-case hex SHA-256 of the key as given (the form stored in Redis).
std::string hashApiKey(std::string_view key);

// True when the text has the shape of a key this module generates (prefix, length, alphabet).
// A cheap filter before any lookup; it says nothing about whether the key exists.
bool hasApiKeyFormat(std::string_view key);

}  // namespace hookline
