#include "engine/reclaimer.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <span>

namespace hookline {
namespace {

constexpr std::chrono::milliseconds kReclaimMargin{1000};
// Ids per refresh script call, so one call never holds Redis long.
constexpr std::size_t kRefreshChunk = 500;
// XAUTOCLAIM calls per claim pass; each scans at most ten times its COUNT pending entries.
constexpr int kClaimCallsPerPass = 16;

// Refreshes each id only while this consumer owns it: XCLAIM with min-idle 0 would otherwise
// take back an entry another worker had already reclaimed. JUSTID leaves the delivery count
// alone; XCLAIM sets the idle time to 0.
constexpr const char* kRefreshScript = R"lua(
local refreshed = 0
for i = 3, #ARGV do
  local mine = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1, ARGV[2])
  if #mine > 0 then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
    refreshed = refreshed + 1
  end
end
return refreshed
)lua";

// Trims below the oldest entry some group still needs: its oldest pending entry, or, with
// nothing pending, its last delivered entry (kept itself, since MINID keeps ids >= the floor).
// Entries no group has read yet are above every floor and stay. One script, so a group cannot
// read or create between the look and the trim.
constexpr const char* kTrimScript = R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
local function below(a, b)
  local ams, aseq = string.match(a, '(%d+)-(%d+)')
  local bms, bseq = string.match(b, '(%d+)-(%d+)')
  if #ams ~= #bms then return #ams < #bms end
  if ams ~= bms then return ams < bms end
  if #aseq ~= #bseq then return #aseq < #bseq end
  return aseq < bseq
end
local floor = nil
for _, group in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
  local info = {}
  for i = 1, #group, 2 do
    info[group[i]] = group[i + 1]
  end
  local needed = info['last-delivered-id']
  if info['pending'] > 0 then
    needed = redis.call('XPENDING', KEYS[1], info['name'])[2]
  end
  if floor == nil or below(needed, floor) then
    floor = needed
  end
end
if floor == nil or floor == '0-0' then
  return 0
end
return redis.call('XTRIM', KEYS[1], 'MINID', '~', floor)
)lua";

}  // namespace

std::chrono::milliseconds minimumReclaimIdle(std::chrono::milliseconds attempt_limit) {
  return attempt_limit * 2 + kReclaimMargin;
}

Status checkRecoveryOptions(const RecoveryOptions& options,
                            std::chrono::milliseconds attempt_limit) {
  const auto minimum = minimumReclaimIdle(attempt_limit);
  if (options.reclaim_idle < minimum) {
    return Error{"--reclaim-idle (" + std::to_string(options.reclaim_idle.count()) +
                 " ms) must be at least twice --attempt-timeout-ms (" +
                 std::to_string(attempt_limit.count()) + " ms) plus " +
                 std::to_string(kReclaimMargin.count()) + " ms, i.e. " +
                 std::to_string(minimum.count()) +
                 " ms, or a worker could take over an entry another is still delivering"};
  }
  if (options.max_deliveries < 1) {
    return Error{"--max-deliveries must be at least 1"};
  }
  if (options.reclaim_batch < 1) {
    return Error{"the reclaim batch must be at least 1"};
  }
  return {};
}

Reclaimer::Reclaimer(RedisLink& link, Options options)
    : link_(link), options_(std::move(options)) {}

Expected<std::size_t> Reclaimer::refresh(const std::vector<std::string>& ids) {
  std::size_t refreshed = 0;
  for (std::size_t start = 0; start < ids.size(); start += kRefreshChunk) {
    const std::size_t end = std::min(ids.size(), start + kRefreshChunk);
    std::vector<std::string> args = {"EVAL",          kRefreshScript, "1",
                                     options_.stream, options_.group, options_.consumer};
    args.insert(args.end(), ids.begin() + static_cast<std::ptrdiff_t>(start),
                ids.begin() + static_cast<std::ptrdiff_t>(end));
    auto reply = link_.command(args);
    if (!reply) {
      return reply.error();
    }
    if (errorStartsWith(reply->get(), "NOGROUP")) {
      return refreshed;  // the group is gone; the reader recreates it
    }
    if (reply->get()->type != REDIS_REPLY_INTEGER) {
      return Error{"refreshing held entries failed: " + replyString(reply->get())};
    }
    refreshed += static_cast<std::size_t>(reply->get()->integer);
  }
  return refreshed;
}

Expected<Reclaimer::Claimed> Reclaimer::claimIdle(std::size_t max,
                                                  std::chrono::milliseconds min_idle) {
  Claimed claimed;
  // Stop when the walk of the pending list ends (the cursor comes back to 0-0), when `max` are
  // taken, or after a bounded number of calls; the next pass goes on from the cursor.
  int calls = 0;
  do {
    const std::size_t want = max - claimed.entries.size();
    if (want == 0) {
      break;
    }
    auto reply =
        link_.command({"XAUTOCLAIM", options_.stream, options_.group, options_.consumer,
                       std::to_string(min_idle.count()), cursor_, "COUNT", std::to_string(want)});
    if (!reply) {
      return reply.error();
    }
    if (errorStartsWith(reply->get(), "NOGROUP")) {
      cursor_ = "0-0";
      return claimed;  // the reader recreates the group
    }
    if (isErrorReply(reply->get())) {
      return Error{"XAUTOCLAIM failed: " + replyString(reply->get())};
    }
    const std::size_t before = claimed.entries.size();
    if (auto status = parseAutoclaim(reply->get(), claimed, cursor_); !status) {
      return status.error();
    }
    std::span<StreamEntry> fresh(claimed.entries.begin() + static_cast<std::ptrdiff_t>(before),
                                 claimed.entries.end());
    if (auto status = readDeliveryCounts(link_, options_.stream, options_.group, fresh); !status) {
      // The claimed entries are ours now; without their counts they are handled as if first
      // seen, and checked again should they come back.
      spdlog::warn("cannot read delivery counts of reclaimed entries error={}",
                   status.error().message);
    }
  } while (cursor_ != "0-0" && ++calls < kClaimCallsPerPass);
  return claimed;
}

// Redis 7 answers [next cursor, [[id, fields] ...], [deleted id ...]]; Redis 6.2 has no third
// element.
Status Reclaimer::parseAutoclaim(const redisReply* reply, Claimed& claimed,
                                 std::string& cursor) const {
  if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 2 ||
      reply->element[1]->type != REDIS_REPLY_ARRAY) {
    return Error{"XAUTOCLAIM returned an unexpected reply"};
  }
  cursor = replyString(reply->element[0]);
  const redisReply* list = reply->element[1];
  for (std::size_t i = 0; i < list->elements; ++i) {
    auto entry = parseEntryReply(list->element[i]);
    if (!entry) {
      return entry.error();
    }
    if (entry->deleted) {
      // Redis 6.2 lists a deleted entry with nil fields and leaves it pending.
      claimed.deleted_ids.push_back(entry->id);
      continue;
    }
    claimed.entries.push_back(std::move(entry).value());
  }
  if (reply->elements >= 3 && reply->element[2]->type == REDIS_REPLY_ARRAY) {
    const redisReply* deleted = reply->element[2];
    for (std::size_t i = 0; i < deleted->elements; ++i) {
      claimed.deleted_ids.push_back(replyString(deleted->element[i]));
    }
  }
  return {};
}

Expected<long long> Reclaimer::trimAcked() {
  auto reply = link_.command({"EVAL", kTrimScript, "1", options_.stream});
  if (!reply) {
    return reply.error();
  }
  if (reply->get()->type != REDIS_REPLY_INTEGER) {
    return Error{"trimming acked entries failed: " + replyString(reply->get())};
  }
  return reply->get()->integer;
}

}  // namespace hookline
