#include "registry/registry_store.hpp"

#include <chrono>
#include <unordered_set>
#include <utility>

#include <spdlog/spdlog.h>

#include "registry/api_key.hpp"
#include "registry/identifiers.hpp"
#include "registry/webhook_codec.hpp"
#include "registry/webhook_secret.hpp"

namespace hookline {
namespace {

// Marks a key revoked only if it exists, so revoking an unknown key creates nothing.
constexpr std::string_view kRevokeScript = R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
redis.call('HSET', KEYS[1], 'revoked', '1')
redis.call('HSETNX', KEYS[1], 'revoked_at_ms', ARGV[1])
return 1
)lua";

// Deletes a webhook and announces it only when it existed. Both key types are checked before
// the first write: a script that fails half-way keeps what it already wrote.
constexpr std::string_view kDeleteWebhookScript = R"lua(
local webhooks_type = redis.call('TYPE', KEYS[1]).ok
local changes_type = redis.call('TYPE', KEYS[2]).ok
if webhooks_type ~= 'hash' and webhooks_type ~= 'none' then
  return redis.error_reply('webhooks key is a ' .. webhooks_type .. ', not a hash')
end
if changes_type ~= 'stream' and changes_type ~= 'none' then
  return redis.error_reply('change stream key is a ' .. changes_type .. ', not a stream')
end
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then
  return 0
end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'channel', ARGV[1])
return 1
)lua";

constexpr std::string_view kScanBatch = "1000";
constexpr int kMaxTransactionAttempts = 10;

std::string nowMs() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(now).count());
}

Error redisFailure(std::string_view what, const Error& cause) {
  return Error{"Redis failed while " + std::string(what) + ": " + cause.message};
}

bool isNil(const redisReply* reply) {
  return reply == nullptr || reply->type == REDIS_REPLY_NIL;
}

}  // namespace

RegistryStore::RegistryStore(RedisLink& link, std::string key_prefix)
    : link_(link), keys_(std::move(key_prefix)) {}

Status RegistryStore::createAccount(std::string_view name) {
  if (!isValidAccountName(name)) {
    return Error{"invalid account name \"" + std::string(name) +
                 "\": use 1 to 64 letters, digits, '_', '-' or '.'"};
  }
  auto reply = link_.commandOk({"HSETNX", keys_.accounts, name, nowMs()});
  if (!reply) {
    return redisFailure("creating an account", reply.error());
  }
  if ((*reply)->integer == 0) {
    return Error{"account \"" + std::string(name) + "\" already exists"};
  }
  return {};
}

Expected<bool> RegistryStore::accountExists(std::string_view name) {
  if (!isValidAccountName(name)) {
    return false;
  }
  auto reply = link_.commandOk({"HEXISTS", keys_.accounts, name});
  if (!reply) {
    return redisFailure("looking up an account", reply.error());
  }
  return (*reply)->integer == 1;
}

Status RegistryStore::createChannel(std::string_view channel_id, std::string_view account) {
  if (!isValidChannelId(channel_id)) {
    return Error{"invalid channel id \"" + std::string(channel_id) +
                 "\": use 1 to 128 letters, digits, '_', '-' or '.'"};
  }
  auto exists = accountExists(account);
  if (!exists) {
    return exists.error();
  }
  if (!*exists) {
    return Error{"account \"" + std::string(account) + "\" does not exist"};
  }

  // Accounts are never deleted, so the account checked above still exists here.
  auto reply = link_.commandOk({"HSETNX", keys_.channels, channel_id, account});
  if (!reply) {
    return redisFailure("creating a channel", reply.error());
  }
  if ((*reply)->integer == 0) {
    return Error{"channel \"" + std::string(channel_id) + "\" already exists"};
  }
  return {};
}

Expected<std::string> RegistryStore::createApiKey(std::string_view account) {
  auto exists = accountExists(account);
  if (!exists) {
    return exists.error();
  }
  if (!*exists) {
    return Error{"account \"" + std::string(account) + "\" does not exist"};
  }

  std::string key = generateApiKey();
  auto reply = link_.commandOk({"HSET", keys_.apiKey(hashApiKey(key)), "account", account,
                                "revoked", "0", "created_at_ms", nowMs()});
  if (!reply) {
    return redisFailure("storing an API key", reply.error());
  }
  return key;
}

Expected<bool> RegistryStore::revokeApiKey(std::string_view key) {
  if (!hasApiKeyFormat(key)) {
    return false;
  }
  auto reply =
      link_.commandOk({"EVAL", kRevokeScript, "1", keys_.apiKey(hashApiKey(key)), nowMs()});
  if (!reply) {
    return redisFailure("revoking an API key", reply.error());
  }
  return (*reply)->integer == 1;
}

Expected<std::optional<std::string>> RegistryStore::accountForKey(std::string_view key) {
  // A malformed key cannot have been issued; skipping the lookup costs nothing in secrecy,
  // since the format is public.
  if (!hasApiKeyFormat(key)) {
    return std::optional<std::string>{};
  }
  auto reply = link_.commandOk({"HMGET", keys_.apiKey(hashApiKey(key)), "account", "revoked"});
  if (!reply) {
    return redisFailure("looking up an API key", reply.error());
  }
  const redisReply* fields = reply->get();
  if (fields->type != REDIS_REPLY_ARRAY || fields->elements != 2 || isNil(fields->element[0])) {
    return std::optional<std::string>{};
  }
  if (replyString(fields->element[1]) != "0") {
    return std::optional<std::string>{};
  }
  return std::optional<std::string>{replyString(fields->element[0])};
}

Expected<std::optional<std::string>> RegistryStore::channelAccount(std::string_view channel_id) {
  if (!isValidChannelId(channel_id)) {
    return std::optional<std::string>{};
  }
  auto reply = link_.commandOk({"HGET", keys_.channels, channel_id});
  if (!reply) {
    return redisFailure("looking up a channel", reply.error());
  }
  if (isNil(reply->get())) {
    return std::optional<std::string>{};
  }
  return std::optional<std::string>{replyString(reply->get())};
}

Expected<PutWebhookResult> RegistryStore::putWebhook(const WebhookConfig& config) {
  if (!isValidChannelId(config.channel_id)) {
    return Error{"invalid channel id \"" + config.channel_id + "\""};
  }
  if (config.url.empty()) {
    return Error{"a webhook needs a URL"};
  }

  bool created = false;
  auto written = changeWebhook(
      config.channel_id,
      [&](const std::optional<WebhookConfig>& current) -> Expected<std::optional<WebhookConfig>> {
        WebhookConfig next = config;
        next.disabled = false;
        next.disabled_reason.clear();
        if (next.secret.empty() && current && !current->secret.empty()) {
          next.secret = current->secret;
          next.previous_secret = current->previous_secret;
          next.previous_secret_expires_at_ms = current->previous_secret_expires_at_ms;
        } else if (next.secret.empty()) {
          next.secret = generateWebhookSecret();
        }
        created = !current.has_value();
        return std::optional<WebhookConfig>{std::move(next)};
      });
  if (!written) {
    return written.error();
  }
  return PutWebhookResult{std::move(**written), created};
}

Status RegistryStore::disableWebhook(std::string_view channel_id, std::string_view reason) {
  if (!isValidChannelId(channel_id)) {
    return Error{"invalid channel id \"" + std::string(channel_id) + "\""};
  }
  auto written = changeWebhook(
      std::string(channel_id),
      [&](const std::optional<WebhookConfig>& current) -> Expected<std::optional<WebhookConfig>> {
        if (!current || current->disabled) {
          return std::optional<WebhookConfig>{};
        }
        WebhookConfig next = *current;
        next.disabled = true;
        next.disabled_reason = std::string(reason);
        return std::optional<WebhookConfig>{std::move(next)};
      });
  if (!written) {
    return written.error();
  }
  return {};
}

Expected<bool> RegistryStore::deleteWebhook(std::string_view channel_id) {
  if (!isValidChannelId(channel_id)) {
    return false;
  }
  auto reply = link_.command({"EVAL", kDeleteWebhookScript, "2", keys_.webhooks, keys_.changes,
                              channel_id, kChangeStreamMaxLength});
  if (!reply) {
    return redisFailure("deleting a webhook", reply.error());
  }
  if (isErrorReply(reply->get())) {
    return Error{"Redis refused to delete the webhook: " + replyString(reply->get())};
  }
  return (*reply)->integer == 1;
}

Expected<std::optional<WebhookConfig>> RegistryStore::rotateSecret(
    std::string_view channel_id, std::chrono::milliseconds grace) {
  if (!isValidChannelId(channel_id)) {
    return Error{"invalid channel id \"" + std::string(channel_id) + "\""};
  }
  return changeWebhook(
      std::string(channel_id),
      [&](const std::optional<WebhookConfig>& current) -> Expected<std::optional<WebhookConfig>> {
        if (!current) {
          return std::optional<WebhookConfig>{};
        }
        const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::system_clock::now().time_since_epoch());
        WebhookConfig next = *current;
        next.previous_secret = current->secret;
        next.previous_secret_expires_at_ms = (now + grace).count();
        next.secret = generateWebhookSecret();
        return std::optional<WebhookConfig>{std::move(next)};
      });
}

Expected<std::optional<WebhookConfig>> RegistryStore::changeWebhook(const std::string& channel_id,
                                                                    const WebhookChange& change) {
  for (int attempt = 0; attempt < kMaxTransactionAttempts; ++attempt) {
    // One round trip watches the table, reads the current webhook, checks the channel and that
    // both keys have the types the transaction expects: inside MULTI/EXEC a wrong-typed key
    // would fail one write while the other is applied.
    link_.append({"WATCH", keys_.webhooks});
    link_.append({"HEXISTS", keys_.channels, channel_id});
    link_.append({"TYPE", keys_.webhooks});
    link_.append({"TYPE", keys_.changes});
    link_.append({"HGET", keys_.webhooks, channel_id});
    auto checks = link_.flush();
    if (!checks) {
      return redisFailure("reading a webhook", checks.error());
    }
    for (const auto& reply : *checks) {
      if (isErrorReply(reply.get())) {
        unwatch();
        return Error{"Redis refused to read a webhook: " + replyString(reply.get())};
      }
    }
    if ((*checks)[1]->integer != 1) {
      unwatch();
      return Error{"channel \"" + channel_id + "\" does not exist"};
    }
    const std::string webhooks_type = replyString((*checks)[2].get());
    const std::string changes_type = replyString((*checks)[3].get());
    if (webhooks_type != "hash" && webhooks_type != "none") {
      unwatch();
      return Error{"Redis key " + keys_.webhooks + " is a " + webhooks_type + ", not a hash"};
    }
    if (changes_type != "stream" && changes_type != "none") {
      unwatch();
      return Error{"Redis key " + keys_.changes + " is a " + changes_type + ", not a stream"};
    }

    std::optional<WebhookConfig> current;
    if (const redisReply* stored = (*checks)[4].get(); !isNil(stored)) {
      auto decoded = decodeWebhook(channel_id, replyString(stored));
      if (decoded) {
        current = std::move(decoded).value();
      } else {
        spdlog::error("registry webhook unreadable channel={} reason=\"{}\"", channel_id,
                      decoded.error().message);
      }
    }
    auto next = change(current);
    if (!next || !next->has_value()) {
      unwatch();
      return next;
    }

    // A failed link before EXEC discards the transaction on the server, and a command refused
    // while queueing (OOM, syntax) aborts EXEC as a whole.
    link_.append({"MULTI"});
    link_.append({"HSET", keys_.webhooks, channel_id, encodeWebhook(**next)});
    link_.append({"XADD", keys_.changes, "MAXLEN", "~", std::string(kChangeStreamMaxLength), "*",
                  "channel", channel_id});
    link_.append({"EXEC"});
    auto replies = link_.flush();
    if (!replies) {
      return redisFailure("storing a webhook", replies.error());
    }
    const redisReply* exec = replies->back().get();
    if (isErrorReply(exec)) {
      return Error{"Redis refused to store the webhook: " + replyString(exec)};
    }
    if (isNil(exec)) {
      continue;  // another writer changed the table after our WATCH: read it again
    }
    if (exec->type != REDIS_REPLY_ARRAY || exec->elements != 2) {
      return Error{"Redis did not run the webhook transaction"};
    }
    for (std::size_t i = 0; i < exec->elements; ++i) {
      if (isErrorReply(exec->element[i])) {
        return Error{"Redis applied the webhook transaction only in part: " +
                     replyString(exec->element[i])};
      }
    }
    return next;
  }
  return Error{"the webhook of channel \"" + channel_id +
               "\" kept changing under concurrent writers; try again"};
}

void RegistryStore::unwatch() {
  // Best effort: a failed link is dropped, and its WATCH with it.
  (void)link_.command({"UNWATCH"});
}

Expected<std::optional<WebhookConfig>> RegistryStore::getWebhook(std::string_view channel_id) {
  if (!isValidChannelId(channel_id)) {
    return std::optional<WebhookConfig>{};
  }
  auto reply = link_.commandOk({"HGET", keys_.webhooks, channel_id});
  if (!reply) {
    return redisFailure("reading a webhook", reply.error());
  }
  if (isNil(reply->get())) {
    return std::optional<WebhookConfig>{};
  }
  auto config = decodeWebhook(channel_id, replyString(reply->get()));
  if (!config) {
    return config.error();
  }
  return std::optional<WebhookConfig>{std::move(config).value()};
}

Expected<std::vector<std::optional<WebhookConfig>>> RegistryStore::getWebhooks(
    const std::vector<std::string>& channel_ids) {
  std::vector<std::optional<WebhookConfig>> configs(channel_ids.size());
  if (channel_ids.empty()) {
    return configs;
  }
  for (const auto& channel_id : channel_ids) {
    link_.append({"HGET", keys_.webhooks, channel_id});
  }
  auto replies = link_.flush();
  if (!replies) {
    return redisFailure("reading webhooks", replies.error());
  }
  for (std::size_t i = 0; i < channel_ids.size(); ++i) {
    const redisReply* reply = (*replies)[i].get();
    if (isErrorReply(reply)) {
      return Error{"Redis HGET failed: " + replyString(reply)};
    }
    if (isNil(reply)) {
      continue;
    }
    auto config = decodeWebhook(channel_ids[i], replyString(reply));
    if (!config) {
      spdlog::error("registry webhook unreadable channel={} reason=\"{}\"", channel_ids[i],
                    config.error().message);
      continue;
    }
    configs[i] = std::move(config).value();
  }
  return configs;
}

Expected<std::vector<WebhookConfig>> RegistryStore::allWebhooks() {
  std::vector<WebhookConfig> configs;
  std::unordered_set<std::string> seen;  // HSCAN may return a field twice while Redis rehashes
  std::string cursor = "0";
  do {
    auto reply = link_.commandOk({"HSCAN", keys_.webhooks, cursor, "COUNT", kScanBatch});
    if (!reply) {
      return redisFailure("listing webhooks", reply.error());
    }
    const redisReply* page = reply->get();
    if (page->type != REDIS_REPLY_ARRAY || page->elements != 2 ||
        page->element[1]->type != REDIS_REPLY_ARRAY) {
      return Error{"Redis HSCAN returned an unexpected reply"};
    }
    cursor = replyString(page->element[0]);
    const redisReply* items = page->element[1];
    for (std::size_t i = 0; i + 1 < items->elements; i += 2) {
      std::string channel_id = replyString(items->element[i]);
      if (!seen.insert(channel_id).second) {
        continue;
      }
      auto config = decodeWebhook(channel_id, replyString(items->element[i + 1]));
      if (!config) {
        spdlog::error("registry webhook unreadable channel={} reason=\"{}\"", channel_id,
                      config.error().message);
        continue;
      }
      configs.push_back(std::move(config).value());
    }
  } while (cursor != "0");
  return configs;
}

}  // namespace hookline
