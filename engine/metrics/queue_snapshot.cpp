#include "engine/metrics/queue_snapshot.hpp"

#include "engine/retry_store.hpp"

namespace hookline {
namespace {

long long integerField(const redisReply* map, std::string_view field) {
  const redisReply* value = replyField(map, field);
  return value != nullptr && value->type == REDIS_REPLY_INTEGER ? value->integer : 0;
}

Expected<long long> integerReply(RedisLink& link, const std::vector<std::string>& args) {
  auto reply = link.commandOk(args);
  if (!reply) {
    return reply.error();
  }
  return (*reply)->integer;
}

// XINFO GROUPS: this group's pending count and lag. An absent stream answers an error reply.
Status readGroup(RedisLink& link, const QueueNames& names, QueueSnapshot& snapshot) {
  auto reply = link.command({"XINFO", "GROUPS", names.stream});
  if (!reply) {
    return reply.error();
  }
  if (isErrorReply(reply->get()) || (*reply)->type != REDIS_REPLY_ARRAY) {
    return {};  // no stream yet
  }
  for (std::size_t i = 0; i < (*reply)->elements; ++i) {
    const redisReply* group = (*reply)->element[i];
    const redisReply* name = replyField(group, "name");
    if (name == nullptr || replyString(name) != names.group) {
      continue;
    }
    snapshot.group_exists = true;
    snapshot.group_pending = integerField(group, "pending");
    const redisReply* lag = replyField(group, "lag");
    if (lag != nullptr && lag->type == REDIS_REPLY_INTEGER) {
      snapshot.group_lag = lag->integer;
    }
  }
  return {};
}

Status readConsumers(RedisLink& link, const QueueNames& names, QueueSnapshot& snapshot) {
  auto reply = link.commandOk({"XINFO", "CONSUMERS", names.stream, names.group});
  if (!reply) {
    return reply.error();
  }
  for (std::size_t i = 0; i < (*reply)->elements; ++i) {
    const redisReply* consumer = (*reply)->element[i];
    snapshot.consumers.push_back(ConsumerPending{.name = replyString(replyField(consumer, "name")),
                                                 .pending = integerField(consumer, "pending"),
                                                 .idle_ms = integerField(consumer, "idle")});
  }
  return {};
}

}  // namespace

const redisReply* replyField(const redisReply* map, std::string_view field) {
  if (map == nullptr || map->type != REDIS_REPLY_ARRAY) {
    return nullptr;
  }
  for (std::size_t i = 0; i + 1 < map->elements; i += 2) {
    const redisReply* key = map->element[i];
    if (key->type == REDIS_REPLY_STRING && std::string_view(key->str, key->len) == field) {
      return map->element[i + 1];
    }
  }
  return nullptr;
}

Expected<QueueSnapshot> readQueueSnapshot(RedisLink& link, const QueueNames& names) {
  QueueSnapshot snapshot;
  auto length = integerReply(link, {"XLEN", names.stream});
  if (!length) {
    return length.error();
  }
  snapshot.stream_length = *length;
  if (auto status = readGroup(link, names, snapshot); !status) {
    return status.error();
  }
  if (snapshot.group_exists) {
    if (auto status = readConsumers(link, names, snapshot); !status) {
      return status.error();
    }
  }
  auto waiting = RetryStore(names.key_prefix).waitingCount(link);
  if (!waiting) {
    return waiting.error();
  }
  snapshot.retries_waiting = *waiting;
  auto dead = integerReply(link, {"XLEN", names.dead_letter_stream});
  if (!dead) {
    return dead.error();
  }
  snapshot.dead_letters = *dead;
  return snapshot;
}

}  // namespace hookline
