#include "engine/retry_store.hpp"

#include <nlohmann/json.hpp>

namespace hookline {
namespace {

// KEYS: due zset, items hash. ARGV: now, max, lease-until. Returns id, item, id, item, ...
// An id whose item vanished is dropped from the set.
constexpr std::string_view kClaimScript = R"lua(
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for _, id in ipairs(ids) do
  local item = redis.call('HGET', KEYS[2], id)
  if item then
    redis.call('ZADD', KEYS[1], ARGV[3], id)
    out[#out + 1] = id
    out[#out + 1] = item
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
return out
)lua";

}  // namespace

RetryStore::RetryStore(std::string key_prefix)
    : due_key_(key_prefix + "retry:due"), items_key_(key_prefix + "retry:items") {}

std::vector<RedisCommand> RetryStore::scheduleCommands(const RetryItem& item,
                                                       std::int64_t due_ms) const {
  return {{"HSET", items_key_, item.id, encode(item)},
          {"ZADD", due_key_, std::to_string(due_ms), item.id}};
}

std::vector<RedisCommand> RetryStore::removeCommands(std::string_view id) const {
  return {{"HDEL", items_key_, std::string(id)}, {"ZREM", due_key_, std::string(id)}};
}

Expected<std::vector<RetryItem>> RetryStore::claimDue(RedisLink& link, std::size_t max,
                                                      std::int64_t now_ms,
                                                      std::chrono::milliseconds lease) const {
  auto reply =
      link.commandOk({"EVAL", kClaimScript, "2", due_key_, items_key_, std::to_string(now_ms),
                      std::to_string(max), std::to_string(now_ms + lease.count())});
  if (!reply) {
    return reply.error();
  }
  std::vector<RetryItem> items;
  const redisReply* list = reply->get();
  for (std::size_t i = 0; i + 1 < list->elements; i += 2) {
    const std::string id = replyString(list->element[i]);
    auto item = decode(id, replyString(list->element[i + 1]));
    if (item) {
      items.push_back(std::move(item).value());
    }
    // TODO: dead-letter an undecodable retry item instead of leaving it to its lease.
  }
  return items;
}

Expected<long long> RetryStore::waitingCount(RedisLink& link) const {
  auto reply = link.commandOk({"ZCARD", due_key_});
  if (!reply) {
    return reply.error();
  }
  return (*reply)->integer;
}

Expected<std::optional<std::int64_t>> RetryStore::earliestDue(RedisLink& link) const {
  auto reply = link.commandOk({"ZRANGE", due_key_, "0", "0", "WITHSCORES"});
  if (!reply) {
    return reply.error();
  }
  if ((*reply)->elements < 2) {
    return std::optional<std::int64_t>{};
  }
  return std::optional<std::int64_t>{std::stoll(replyString((*reply)->element[1]))};
}

std::string RetryStore::encode(const RetryItem& item) {
  nlohmann::json json = {{"stream", item.stream},
                         {"entry_id", item.event.entry_id},
                         {"event_id", item.event.event_id},
                         {"type", eventKindName(item.event.kind)},
                         {"channel_id", item.event.channel_id},
                         {"payload", item.event.payload},
                         {"occurred_at_ms", item.event.occurred_at_ms},
                         {"attempts", item.attempts},
                         {"last_result", item.last_result}};
  return json.dump();
}

Expected<RetryItem> RetryStore::decode(std::string_view id, std::string_view text) {
  auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    return Error{"retry item is not JSON"};
  }
  try {
    RetryItem item;
    item.id = std::string(id);
    item.stream = json.at("stream").get<std::string>();
    item.event.entry_id = json.at("entry_id").get<std::string>();
    item.event.event_id = json.at("event_id").get<std::string>();
    auto kind = parseEventKind(json.at("type").get<std::string>());
    if (!kind) {
      return Error{"retry item has an unknown type"};
    }
    item.event.kind = *kind;
    item.event.channel_id = json.at("channel_id").get<std::string>();
    item.event.payload = json.at("payload").get<std::string>();
    item.event.occurred_at_ms = json.at("occurred_at_ms").get<std::int64_t>();
    item.attempts = json.at("attempts").get<int>();
    item.last_result = json.value("last_result", "");
    return item;
  } catch (const nlohmann::json::exception& error) {
    return Error{std::string("retry item is malformed: ") + error.what()};
  }
}

}  // namespace hookline
