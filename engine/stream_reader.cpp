#include "engine/stream_reader.hpp"

#include <algorithm>
#include <cstdint>

#include <spdlog/spdlog.h>

namespace hookline {

StreamReader::StreamReader(RedisLink& link, Options options)
    : link_(link), options_(std::move(options)) {}

Status StreamReader::ensureGroup() {
  auto reply =
      link_.command({"XGROUP", "CREATE", options_.stream, options_.group, "0", "MKSTREAM"});
  if (!reply) {
    return reply.error();
  }
  if (errorStartsWith(reply->get(), "BUSYGROUP")) {
    spdlog::debug("consumer group exists stream={} group={}", options_.stream, options_.group);
    return {};
  }
  if (isErrorReply(reply->get())) {
    return Error{"cannot create consumer group: " + replyString(reply->get())};
  }
  spdlog::info("consumer group created stream={} group={} start=0", options_.stream,
               options_.group);
  return {};
}

Expected<std::vector<StreamEntry>> StreamReader::readBatch(std::size_t max_count) {
  group_was_missing_ = false;
  const bool pending = readingOwnPending();
  const std::size_t count = std::max<std::size_t>(1, std::min(max_count, options_.batch_size));
  std::vector<std::string> args = {"XREADGROUP",      "GROUP", options_.group,
                                   options_.consumer, "COUNT", std::to_string(count)};
  if (!pending) {
    args.push_back("BLOCK");
    args.push_back(std::to_string(options_.block.count()));
  }
  args.push_back("STREAMS");
  args.push_back(options_.stream);
  args.push_back(pending_cursor_);

  link_.setReadTimeout(options_.block + link_.options().command_timeout);
  auto reply = link_.command(args);
  link_.setReadTimeout(link_.options().command_timeout);
  if (!reply) {
    // The read may have reached Redis without its reply reaching us, leaving entries pending
    // under our name that we never saw: read our own pending list again first.
    pending_cursor_ = "0";
    return reply.error();
  }
  // NOGROUP: the group (or the whole stream) was gone when the read arrived. UNBLOCKED (Redis
  // 7): it went while this read was blocked on it, and Redis woke the read with an error.
  // Both mean the same thing here: recreate the group and read on.
  if (errorStartsWith(reply->get(), "NOGROUP") || errorStartsWith(reply->get(), "UNBLOCKED")) {
    group_was_missing_ = true;
    spdlog::warn("consumer group missing, recreating stream={} group={} reply=\"{}\"",
                 options_.stream, options_.group, replyString(reply->get()));
    if (auto status = ensureGroup(); !status) {
      return status.error();
    }
    return std::vector<StreamEntry>{};
  }
  if (isErrorReply(reply->get())) {
    return Error{"XREADGROUP failed: " + replyString(reply->get())};
  }

  auto entries = parseReply(reply->get());
  if (entries && pending && !entries->empty()) {
    if (auto status = readDeliveryCounts(link_, options_.stream, options_.group, *entries);
        !status) {
      return status.error();
    }
  }
  if (entries && pending) {
    if (entries->empty()) {
      pending_cursor_ = ">";
      spdlog::debug("own pending entries done, reading new ones consumer={}", options_.consumer);
    } else {
      pending_cursor_ = entries->back().id;
    }
  }
  return entries;
}

Expected<std::vector<StreamEntry>> StreamReader::parseReply(const redisReply* reply) const {
  std::vector<StreamEntry> entries;
  if (reply->type == REDIS_REPLY_NIL) {
    return entries;
  }
  if (reply->type != REDIS_REPLY_ARRAY) {
    return Error{"XREADGROUP returned an unexpected reply"};
  }
  for (std::size_t s = 0; s < reply->elements; ++s) {
    const redisReply* stream = reply->element[s];
    if (stream->type != REDIS_REPLY_ARRAY || stream->elements != 2 ||
        stream->element[1]->type != REDIS_REPLY_ARRAY) {
      return Error{"XREADGROUP returned a malformed stream block"};
    }
    const redisReply* list = stream->element[1];
    entries.reserve(entries.size() + list->elements);
    for (std::size_t i = 0; i < list->elements; ++i) {
      auto entry = parseEntryReply(list->element[i]);
      if (!entry) {
        return entry.error();
      }
      entries.push_back(std::move(entry).value());
    }
  }
  return entries;
}

Expected<StreamEntry> parseEntryReply(const redisReply* item) {
  if (item->type != REDIS_REPLY_ARRAY || item->elements != 2) {
    return Error{"stream reply holds a malformed entry"};
  }
  StreamEntry entry;
  entry.id = replyString(item->element[0]);
  const redisReply* fields = item->element[1];
  if (fields->type == REDIS_REPLY_NIL) {
    entry.deleted = true;
    return entry;
  }
  if (fields->type == REDIS_REPLY_ARRAY) {
    entry.fields.reserve(fields->elements / 2);
    for (std::size_t f = 0; f + 1 < fields->elements; f += 2) {
      entry.fields.emplace_back(replyString(fields->element[f]),
                                replyString(fields->element[f + 1]));
    }
  }
  return entry;
}

Status readDeliveryCounts(RedisLink& link, const std::string& stream, const std::string& group,
                          std::span<StreamEntry> entries) {
  if (entries.empty()) {
    return {};
  }
  for (const auto& entry : entries) {
    link.append({"XPENDING", stream, group, entry.id, entry.id, "1"});
  }
  auto replies = link.flush();
  if (!replies) {
    return replies.error();
  }
  for (std::size_t i = 0; i < entries.size() && i < replies->size(); ++i) {
    const redisReply* reply = (*replies)[i].get();
    // [[id, consumer, idle ms, delivery count]], or [] when no longer pending.
    if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 1 &&
        reply->element[0]->type == REDIS_REPLY_ARRAY && reply->element[0]->elements == 4) {
      entries[i].deliveries = reply->element[0]->element[3]->integer;
    }
  }
  return {};
}

}  // namespace hookline
