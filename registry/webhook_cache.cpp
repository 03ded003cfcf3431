#include "registry/webhook_cache.hpp"

#include <algorithm>
#include <charconv>
#include <unordered_set>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "common/throttled_warning.hpp"

namespace hookline {
namespace {

constexpr std::string_view kBlockMs = "200";
constexpr std::string_view kReadBatch = "512";
constexpr std::chrono::milliseconds kMinBackoff{100};
constexpr std::chrono::milliseconds kMaxBackoff{2000};

// A stream id "ms-seq" as a comparable pair; malformed text compares as 0-0.
std::pair<std::uint64_t, std::uint64_t> parseStreamId(std::string_view id) {
  std::uint64_t ms = 0;
  std::uint64_t seq = 0;
  const auto dash = id.find('-');
  const auto head = id.substr(0, dash);
  if (std::from_chars(head.data(), head.data() + head.size(), ms).ec != std::errc()) {
    return {0, 0};
  }
  if (dash != std::string_view::npos) {
    const auto tail = id.substr(dash + 1);
    if (std::from_chars(tail.data(), tail.data() + tail.size(), seq).ec != std::errc()) {
      return {0, 0};
    }
  }
  return {ms, seq};
}

bool streamIdAfter(std::string_view a, std::string_view b) {
  return parseStreamId(a) > parseStreamId(b);
}

}  // namespace

WebhookCache::WebhookCache(RedisOptions redis, std::string key_prefix)
    : link_(std::move(redis)), store_(link_, std::move(key_prefix)) {}

WebhookCache::~WebhookCache() {
  stop();
}

Status WebhookCache::start() {
  Status status = reload();
  if (!status) {
    failures_.fetch_add(1, std::memory_order_relaxed);
    spdlog::warn("webhook cache initial load failed reason=\"{}\"", status.error().message);
  }
  follower_ = std::jthread([this](std::stop_token stop) { follow(std::move(stop)); });
  return status;
}

void WebhookCache::stop() {
  if (follower_.joinable()) {
    follower_.request_stop();
    follower_.join();
  }
}

std::shared_ptr<const WebhookConfig> WebhookCache::find(std::string_view channel_id) const {
  const Shard& shard = shardFor(channel_id);
  std::shared_lock lock(shard.mutex);
  auto it = shard.configs.find(channel_id);
  return it == shard.configs.end() ? nullptr : it->second;
}

std::size_t WebhookCache::size() const {
  std::size_t total = 0;
  for (const Shard& shard : shards_) {
    std::shared_lock lock(shard.mutex);
    total += shard.configs.size();
  }
  return total;
}

bool WebhookCache::waitForVersion(std::uint64_t at_least, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(wait_mutex_);
  return changed_.wait_for(lock, timeout, [&] { return version() >= at_least; });
}

bool WebhookCache::refreshNow(std::chrono::milliseconds timeout) {
  std::unique_lock lock(wait_mutex_);
  const std::uint64_t before = reloadCount();
  reload_requested_.store(true, std::memory_order_release);
  return changed_.wait_for(lock, timeout, [&] { return reloadCount() > before; });
}

void WebhookCache::follow(std::stop_token stop) {
  auto backoff = kMinBackoff;
  ThrottledWarning warning("webhook cache follower");
  while (!stop.stop_requested()) {
    if (reload_requested_.exchange(false, std::memory_order_acq_rel)) {
      need_reload_ = true;
    }
    Status status = need_reload_ ? reload() : readChanges();
    if (status) {
      backoff = kMinBackoff;
      warning.recovered();
      continue;
    }

    // The link is rebuilt by the next command; whatever happened meanwhile is picked up by
    // reading everything again.
    failures_.fetch_add(1, std::memory_order_relaxed);
    warning.fail(fmt::format("webhook cache follower failed reason=\"{}\" retry_in_ms={}",
                             status.error().message, backoff.count()));
    need_reload_ = true;
    link_.disconnect();
    pause(stop, backoff);
    backoff = std::min(backoff * 2, kMaxBackoff);
  }
}

Status WebhookCache::reload() {
  // Read the stream's position before the table: a change landing in between is then both
  // in the table and after the position, and applying it twice is harmless.
  auto state = readStreamState();
  if (!state) {
    return state.error();
  }
  auto configs = store_.allWebhooks();
  if (!configs) {
    return configs.error();
  }

  std::array<ConfigMap, kShardCount> fresh;
  for (auto& config : *configs) {
    auto& map = fresh[StringHash{}(config.channel_id) % kShardCount];
    std::string channel_id = config.channel_id;
    map.insert_or_assign(std::move(channel_id),
                         std::make_shared<const WebhookConfig>(std::move(config)));
  }
  for (std::size_t i = 0; i < kShardCount; ++i) {
    std::unique_lock lock(shards_[i].mutex);
    shards_[i].configs.swap(fresh[i]);
  }

  stream_ = std::move(state).value();
  last_id_ = stream_.exists ? stream_.last_generated_id : "0-0";
  position_count_ = stream_.exists ? std::max(stream_.entries_added, 0LL) : 0;
  need_reload_ = false;
  const bool first = !loaded_.exchange(true, std::memory_order_acq_rel);
  if (first) {
    spdlog::info("webhook cache loaded webhooks={}", configs->size());
  } else {
    spdlog::info("webhook cache reloaded webhooks={}", configs->size());
  }
  publish(true);
  return {};
}

Status WebhookCache::readChanges() {
  const auto& keys = store_.keys();
  // XINFO runs right after XREAD returns, on the same connection, so it describes the stream
  // as it was when the read ended.
  link_.append({"XREAD", "COUNT", std::string(kReadBatch), "BLOCK", std::string(kBlockMs),
                "STREAMS", keys.changes, last_id_});
  link_.append({"XINFO", "STREAM", keys.changes});
  auto replies = link_.flush();
  if (!replies) {
    return replies.error();
  }
  const redisReply* read = (*replies)[0].get();
  if (isErrorReply(read)) {
    return Error{"XREAD on the change stream failed: " + replyString(read)};
  }

  std::vector<std::string> channel_ids;
  std::unordered_set<std::string> seen;
  if (read->type == REDIS_REPLY_ARRAY && read->elements == 1 &&
      read->element[0]->type == REDIS_REPLY_ARRAY && read->element[0]->elements == 2) {
    const redisReply* entries = read->element[0]->element[1];
    for (std::size_t i = 0; i < entries->elements; ++i) {
      const redisReply* entry = entries->element[i];
      if (entry->type != REDIS_REPLY_ARRAY || entry->elements != 2) {
        continue;
      }
      last_id_ = replyString(entry->element[0]);
      ++position_count_;
      const redisReply* fields = entry->element[1];
      for (std::size_t f = 0; fields->type == REDIS_REPLY_ARRAY && f + 1 < fields->elements;
           f += 2) {
        if (replyString(fields->element[f]) == "channel") {
          std::string channel_id = replyString(fields->element[f + 1]);
          if (seen.insert(channel_id).second) {
            channel_ids.push_back(std::move(channel_id));
          }
        }
      }
    }
  }

  if (!channel_ids.empty()) {
    auto configs = store_.getWebhooks(channel_ids);
    if (!configs) {
      return configs.error();
    }
    for (std::size_t i = 0; i < channel_ids.size(); ++i) {
      apply(channel_ids[i], std::move((*configs)[i]));
    }
    publish(false);
  }

  auto state = streamStateFrom((*replies)[1].get());
  if (!state) {
    return state.error();
  }
  if (auto reason = lostTrack(*state)) {
    spdlog::info("webhook cache reloading reason=\"{}\" position={}", *reason, last_id_);
    need_reload_ = true;
    return {};
  }
  stream_ = std::move(state).value();
  return {};
}

Expected<WebhookCache::StreamState> WebhookCache::readStreamState() {
  auto reply = link_.command({"XINFO", "STREAM", store_.keys().changes});
  if (!reply) {
    return reply.error();
  }
  return streamStateFrom(reply->get());
}

Expected<WebhookCache::StreamState> WebhookCache::streamStateFrom(const redisReply* info) {
  StreamState state;
  if (errorStartsWith(info, "ERR no such key")) {
    return state;
  }
  if (isErrorReply(info)) {
    return Error{"XINFO STREAM on the change stream failed: " + replyString(info)};
  }
  if (info == nullptr || info->type != REDIS_REPLY_ARRAY) {
    return Error{"XINFO STREAM returned an unexpected reply"};
  }
  state.exists = true;
  for (std::size_t i = 0; i + 1 < info->elements; i += 2) {
    const std::string name = replyString(info->element[i]);
    const redisReply* value = info->element[i + 1];
    if (name == "last-generated-id") {
      state.last_generated_id = replyString(value);
    } else if (name == "max-deleted-entry-id") {
      state.max_deleted_id = replyString(value);
    } else if (name == "length" && value->type == REDIS_REPLY_INTEGER) {
      state.length = value->integer;
    } else if (name == "entries-added" && value->type == REDIS_REPLY_INTEGER) {
      state.entries_added = value->integer;
    }
  }
  return state;
}

std::optional<std::string_view> WebhookCache::lostTrack(const StreamState& now) const {
  if (stream_.exists && !now.exists) {
    return "change stream deleted";
  }
  if (!now.exists || now.entries_added < 0) {
    return std::nullopt;
  }
  if (now.entries_added < position_count_) {
    return "change stream re-created";
  }
  // XDEL records the highest id it removed; an unread one means a change went unseen.
  if (streamIdAfter(now.max_deleted_id, last_id_)) {
    return "unread changes were deleted";
  }
  // Trimming (which XTRIM and MAXLEN do not record) removes the oldest entries first, so
  // once it reaches unread ones no read entry is left, and the stream is shorter than the
  // count of entries added after our position.
  if (now.entries_added - position_count_ > now.length) {
    return "unread changes were trimmed";
  }
  return std::nullopt;
}

void WebhookCache::apply(const std::string& channel_id, std::optional<WebhookConfig> config) {
  Shard& shard = shardFor(channel_id);
  std::shared_ptr<const WebhookConfig> fresh;
  if (config) {
    fresh = std::make_shared<const WebhookConfig>(std::move(*config));
  }
  std::unique_lock lock(shard.mutex);
  if (fresh) {
    shard.configs.insert_or_assign(channel_id, std::move(fresh));
  } else {
    shard.configs.erase(channel_id);
  }
}

void WebhookCache::publish(bool was_reload) {
  {
    // Bumped under the waiters' mutex so a waiter cannot check, miss the bump and sleep.
    std::lock_guard lock(wait_mutex_);
    version_.fetch_add(1, std::memory_order_acq_rel);
    if (was_reload) {
      reloads_.fetch_add(1, std::memory_order_acq_rel);
    }
  }
  changed_.notify_all();
}

void WebhookCache::pause(std::stop_token& stop, std::chrono::milliseconds delay) {
  std::unique_lock lock(pause_mutex_);
  pause_cv_.wait_for(lock, stop, delay, [] { return false; });
}

WebhookCache::Shard& WebhookCache::shardFor(std::string_view channel_id) {
  return shards_[StringHash{}(channel_id) % kShardCount];
}

const WebhookCache::Shard& WebhookCache::shardFor(std::string_view channel_id) const {
  return shards_[StringHash{}(channel_id) % kShardCount];
}

}  // namespace hookline
