#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace hookline {

// Where the registry lives in Redis, all under one prefix (default "hookline:"):
//   <prefix>accounts          hash  account name -> creation time (epoch ms)
//   <prefix>channels          hash  channel id -> owning account name
//   <prefix>apikey:<sha256>   hash  account, revoked ("0"/"1"), created_at_ms[, revoked_at_ms]
//   <prefix>webhooks          hash  channel id -> compact JSON of its WebhookConfig
//   <prefix>registry:changes  stream, one entry {channel: <id>} per webhook change
struct RegistryKeys {
  explicit RegistryKeys(std::string prefix)
      : accounts(prefix + "accounts"),
        channels(prefix + "channels"),
        webhooks(prefix + "webhooks"),
        changes(prefix + "registry:changes"),
        prefix_(std::move(prefix)) {}

  std::string apiKey(std::string_view key_hash) const {
    return prefix_ + "apikey:" + std::string(key_hash);
  }

  std::string accounts;
  std::string channels;
  std::string webhooks;
  std::string changes;

 private:
  std::string prefix_;
};

// Change notifications are trimmed to about this many entries; a cache that falls further
// behind reloads everything.
inline constexpr std::string_view kChangeStreamMaxLength = "10000";

}  // namespace hookline
