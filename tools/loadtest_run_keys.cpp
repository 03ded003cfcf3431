#include "tools/loadtest_run_keys.hpp"

#include <unistd.h>

#include <chrono>

#include <fmt/format.h>

#include "registry/registry_store.hpp"

namespace hookline {

RunKeys runKeys(const std::string& base_prefix) {
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  RunKeys keys;
  keys.prefix = fmt::format("{}loadtest:{}-{}:", base_prefix, getpid(), millis);
  keys.stream = keys.prefix + "events";
  keys.dead = keys.prefix + "dead";
  return keys;
}

Expected<std::vector<std::string>> registerChannels(RedisLink& link, const RunKeys& keys,
                                                    std::size_t count, const std::string& url) {
  RegistryStore store(link, keys.prefix);
  if (auto status = store.createAccount("loadtest"); !status) {
    return status.error();
  }
  std::vector<std::string> channels;
  for (std::size_t i = 0; i < count; ++i) {
    channels.push_back(fmt::format("lt_{}", i));
    if (auto status = store.createChannel(channels.back(), "loadtest"); !status) {
      return status.error();
    }
    WebhookConfig config;
    config.channel_id = channels.back();
    config.url = url;
    config.events = EventMask::all();
    if (auto stored = store.putWebhook(config); !stored) {
      return stored.error();
    }
  }
  return channels;
}

// Removes the run's keys from a Redis that was not started here; bounded passes of SCAN.
void removeRunKeys(RedisLink& link, const RunKeys& keys) {
  std::string cursor = "0";
  for (int pass = 0; pass < 10'000; ++pass) {
    auto reply = link.command({"SCAN", cursor, "MATCH", keys.prefix + "*", "COUNT", "1000"});
    if (!reply || reply->get()->type != REDIS_REPLY_ARRAY || reply->get()->elements != 2) {
      return;
    }
    cursor = replyString(reply->get()->element[0]);
    std::vector<std::string> del = {"DEL"};
    const redisReply* found = reply->get()->element[1];
    for (std::size_t i = 0; i < found->elements; ++i) {
      del.push_back(replyString(found->element[i]));
    }
    if (del.size() > 1) {
      link.command(del);
    }
    if (cursor == "0") {
      return;
    }
  }
}

}  // namespace hookline
