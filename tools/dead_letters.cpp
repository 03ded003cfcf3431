#include "tools/dead_letters.hpp"

#include <algorithm>

namespace hookline {
namespace {

constexpr std::size_t kPageSize = 500;

bool isDeadField(const std::string& name) {
  return name.rfind("dead_", 0) == 0;
}

}  // namespace

std::string DeadLetterEntry::field(std::string_view name) const {
  for (const auto& [key, value] : fields) {
    if (key == name) {
      return value;
    }
  }
  return {};
}

bool DeadLetterFilter::matches(const DeadLetterEntry& entry) const {
  if (!channel.empty() && entry.field("channel_id") != channel) {
    return false;
  }
  if (!reason.empty() && entry.field("dead_reason") != reason) {
    return false;
  }
  if (!ids.empty() && std::find(ids.begin(), ids.end(), entry.id) == ids.end()) {
    return false;
  }
  return true;
}

Expected<std::vector<DeadLetterEntry>> listDeadLetters(RedisLink& link, const std::string& stream,
                                                       const DeadLetterFilter& filter,
                                                       std::size_t scan_limit) {
  std::vector<DeadLetterEntry> found;
  std::string start = "-";
  std::size_t scanned = 0;
  while (found.size() < filter.limit && scanned < scan_limit) {
    auto reply = link.commandOk({"XRANGE", stream, start, "+", "COUNT", std::to_string(kPageSize)});
    if (!reply) {
      return reply.error();
    }
    const redisReply* list = reply->get();
    if (list->elements == 0) {
      break;
    }
    for (std::size_t i = 0; i < list->elements && found.size() < filter.limit; ++i) {
      DeadLetterEntry entry;
      entry.id = replyString(list->element[i]->element[0]);
      const redisReply* fields = list->element[i]->element[1];
      for (std::size_t f = 0; f + 1 < fields->elements; f += 2) {
        entry.fields.emplace_back(replyString(fields->element[f]),
                                  replyString(fields->element[f + 1]));
      }
      if (filter.matches(entry)) {
        found.push_back(std::move(entry));
      }
    }
    scanned += list->elements;
    start = "(" + replyString(list->element[list->elements - 1]->element[0]);
    if (list->elements < kPageSize) {
      break;
    }
  }
  return found;
}

Expected<std::string> replayDeadLetter(RedisLink& link, const std::string& dead_stream,
                                       const DeadLetterEntry& entry,
                                       const std::string& default_stream) {
  std::string target = entry.field("dead_source_stream");
  if (target.empty()) {
    target = default_stream;
  }
  std::vector<std::string> add = {"XADD", target, "*"};
  bool has_event_id = false;
  for (const auto& [name, value] : entry.fields) {
    if (isDeadField(name)) {
      continue;
    }
    has_event_id = has_event_id || name == "event_id";
    add.push_back(name);
    add.push_back(value);
  }
  const std::string source_id = entry.field("dead_source_id");
  if (!has_event_id && !source_id.empty()) {
    // The id the receiver saw was derived from the original entry; keep it.
    add.push_back("event_id");
    add.push_back(deriveEventId(target, source_id));
  }
  link.append({"MULTI"});
  link.append(add);
  link.append({"XDEL", dead_stream, entry.id});
  link.append({"EXEC"});
  auto replies = link.flush();
  if (!replies) {
    return replies.error();
  }
  const redisReply* exec = replies->back().get();
  if (exec->type != REDIS_REPLY_ARRAY || exec->elements != 2 || isErrorReply(exec->element[0])) {
    return Error{"replay of " + entry.id + " failed: " + replyString(exec)};
  }
  return replyString(exec->element[0]);
}

std::vector<std::string> missingIds(const std::vector<std::string>& named,
                                    const std::vector<DeadLetterEntry>& found) {
  std::vector<std::string> missing;
  for (const auto& id : named) {
    const bool present = std::any_of(found.begin(), found.end(),
                                     [&](const DeadLetterEntry& entry) { return entry.id == id; });
    if (!present) {
      missing.push_back(id);
    }
  }
  return missing;
}

}  // namespace hookline
