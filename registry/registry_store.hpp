#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/expected.hpp"
#include "common/redis_link.hpp"
#include "registry/registry_keys.hpp"
#include "registry/webhook_config.hpp"

namespace hookline {

struct PutWebhookResult {
  WebhookConfig config;  // as stored, with its signing secret
  bool created = false;  // the channel had no webhook before
};

// The registry's source of truth in Redis: accounts, channels (each owned by one account),
// API keys (stored only as SHA-256 digests) and the one webhook of each channel. Layout in
// registry/registry_keys.hpp.
//
// Threading: the store borrows a RedisLink, which is single-threaded, so one store is used by
// one thread at a time. Every method is one or two round trips and never throws; an Error
// means either a rule was broken (the message says which) or Redis failed (the message says
// so). Methods returning optional use nullopt for "not there", never for a failure.
class RegistryStore {
 public:
  RegistryStore(RedisLink& link, std::string key_prefix);

  // Fails if the name is invalid (letters, digits, '_', '-', '.'; at most 64) or exists.
  Status createAccount(std::string_view name);
  // Fails if the id is invalid (same alphabet; at most 128), the account does not exist, or
  // the channel exists (whichever account owns it).
  Status createChannel(std::string_view channel_id, std::string_view account);
  Expected<bool> accountExists(std::string_view name);

  // Returns the plaintext key; it is not kept anywhere, so this is the only time it is seen.
  Expected<std::string> createApiKey(std::string_view account);
  // True when the key was known (revoking twice is fine), false when it never existed.
  Expected<bool> revokeApiKey(std::string_view key);
  // The key's account; nullopt when the key is malformed, unknown or revoked.
  Expected<std::optional<std::string>> accountForKey(std::string_view key);

  Expected<std::optional<std::string>> channelAccount(std::string_view channel_id);

  // Replaces the channel's webhook (a disabled one is enabled again) and appends a change
  // notification in one MULTI/EXEC, so a cache never misses a stored change and no change is
  // announced that was not stored. The channel must exist. A config without a secret keeps
  // the stored secret (and a previous one still in rotation); the first config of a channel
  // gets a new one. Returns what was stored.
  Expected<PutWebhookResult> putWebhook(const WebhookConfig& config);
  // Marks the channel's webhook disabled (its receiver answered 410 Gone), keeping the rest of
  // its configuration, with the same notification; the next putWebhook lifts this. A
  // concurrent change is never overwritten (WATCH). Succeeds without effect when the channel
  // has no webhook or it is disabled already.
  Status disableWebhook(std::string_view channel_id, std::string_view reason);
  // Removes the channel's webhook and appends the change notification, atomically (one Lua
  // script that checks the key types before writing anything). True when there was one to
  // delete; false, with nothing written, when the channel had none.
  Expected<bool> deleteWebhook(std::string_view channel_id);
  // Gives the channel's webhook a new signing secret; the current one becomes previous_secret
  // and keeps signing until now + grace (a previous secret still in rotation is dropped). Same
  // WATCH/MULTI and notification as putWebhook. Returns what was stored, nullopt when the
  // channel has no webhook (then nothing is written).
  Expected<std::optional<WebhookConfig>> rotateSecret(std::string_view channel_id,
                                                      std::chrono::milliseconds grace);
  Expected<std::optional<WebhookConfig>> getWebhook(std::string_view channel_id);
  // One pipelined round trip for many channels; a stored config that cannot be decoded is
  // logged and returned as nullopt, like a missing one.
  Expected<std::vector<std::optional<WebhookConfig>>> getWebhooks(
      const std::vector<std::string>& channel_ids);
  // Every stored webhook, read with HSCAN in bounded batches; undecodable ones are logged and
  // skipped so one bad entry cannot keep every worker from loading.
  Expected<std::vector<WebhookConfig>> allWebhooks();

  const RegistryKeys& keys() const { return keys_; }

 private:
  // Computes a channel's new webhook from its current one (nullopt: none); nullopt means
  // "write nothing".
  using WebhookChange = std::function<Expected<std::optional<WebhookConfig>>(
      const std::optional<WebhookConfig>& current)>;

  // Reads the channel's webhook under WATCH, applies `change` and writes the result with a
  // change notification in one MULTI/EXEC, starting again (a bounded number of times) when
  // another writer got in between. Returns what was written, nullopt when nothing was.
  Expected<std::optional<WebhookConfig>> changeWebhook(const std::string& channel_id,
                                                       const WebhookChange& change);
  void unwatch();

  RedisLink& link_;
  RegistryKeys keys_;
};

}  // namespace hookline
