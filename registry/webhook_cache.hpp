#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "common/expected.hpp"
#include "common/redis_link.hpp"
#include "registry/registry_store.hpp"
#include "registry/webhook_config.hpp"

namespace hookline {

// Every worker's in-memory copy of the webhooks, read on the hot path for each event.
//
// start() loads everything; then a follower thread with its own Redis link reads the change
// stream (XREAD BLOCK 200 ms from the last id seen) and re-reads each changed channel, so a
// setWebhook reaches every running cache well within a second. The follower reloads
// everything when its link failed, when the stream was deleted or re-created, or when entries
// it had not read yet were deleted or trimmed away (told apart with XINFO STREAM's counters,
// Redis >= 7.0).
//
// Design: the table is split into shards, each a hash map under its own shared_mutex, rather
// than one immutable snapshot swapped atomically. A change then costs one map update instead
// of a copy of the whole table (which grows with the number of channels and would be paid
// for every setWebhook), and readers of different shards never touch the same lock. A reader
// holds a shard's lock only for one lookup and a reference-count increment.
//
// Threading: find(), loaded(), size(), version() and the waits may be called from any thread
// at any time. start() and stop() are called by the owner, once each (stop() is idempotent
// and also run by the destructor).
class WebhookCache {
 public:
  WebhookCache(RedisOptions redis, std::string key_prefix);
  ~WebhookCache();

  WebhookCache(const WebhookCache&) = delete;
  WebhookCache& operator=(const WebhookCache&) = delete;

  // Loads every webhook on the calling thread, then starts the follower. Returns the initial
  // load's failure, if any; the follower starts anyway and keeps retrying, so loaded() turns
  // true once Redis answers.
  Status start();
  // Stops the follower and waits for it: at most one block interval, or one command timeout
  // when Redis is unresponsive.
  void stop();

  // The channel's webhook, or nullptr when it has none. The returned config never changes; a
  // later update replaces the pointer in the table.
  std::shared_ptr<const WebhookConfig> find(std::string_view channel_id) const;

  bool loaded() const { return loaded_.load(std::memory_order_acquire); }
  std::size_t size() const;

  // Increases after every applied batch of changes and every full reload.
  std::uint64_t version() const { return version_.load(std::memory_order_acquire); }
  // True once version() >= at_least, false when the timeout passed first.
  bool waitForVersion(std::uint64_t at_least, std::chrono::milliseconds timeout) const;
  // Asks the follower for a full reload and waits until one has completed.
  bool refreshNow(std::chrono::milliseconds timeout);

  std::uint64_t reloadCount() const { return reloads_.load(std::memory_order_acquire); }
  std::uint64_t failureCount() const { return failures_.load(std::memory_order_relaxed); }

 private:
  static constexpr std::size_t kShardCount = 64;

  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const {
      return std::hash<std::string_view>{}(text);
    }
  };
  using ConfigMap = std::unordered_map<std::string, std::shared_ptr<const WebhookConfig>,
                                       StringHash, std::equal_to<>>;

  struct alignas(64) Shard {
    mutable std::shared_mutex mutex;
    ConfigMap configs;
  };

  // What XINFO STREAM said about the change stream.
  struct StreamState {
    bool exists = false;
    std::string last_generated_id = "0-0";
    std::string max_deleted_id = "0-0";
    long long length = 0;
    long long entries_added = -1;  // -1: the server does not report it (Redis < 7.0)
  };

  // Follower-thread only (and start() before the thread exists).
  void follow(std::stop_token stop);
  Status reload();
  Status readChanges();
  Expected<StreamState> readStreamState();
  static Expected<StreamState> streamStateFrom(const redisReply* info);
  // Why the follower can no longer trust its position in the stream, if it cannot.
  std::optional<std::string_view> lostTrack(const StreamState& now) const;
  void apply(const std::string& channel_id, std::optional<WebhookConfig> config);
  void publish(bool was_reload);
  void pause(std::stop_token& stop, std::chrono::milliseconds delay);

  Shard& shardFor(std::string_view channel_id);
  const Shard& shardFor(std::string_view channel_id) const;

  std::array<Shard, kShardCount> shards_;
  std::atomic<bool> loaded_{false};
  std::atomic<std::uint64_t> version_{0};
  std::atomic<std::uint64_t> reloads_{0};
  std::atomic<std::uint64_t> failures_{0};
  std::atomic<bool> reload_requested_{false};

  mutable std::mutex wait_mutex_;
  mutable std::condition_variable changed_;
  std::mutex pause_mutex_;
  std::condition_variable_any pause_cv_;

  // Owned by the follower thread once it runs.
  RedisLink link_;
  RegistryStore store_;
  std::string last_id_ = "0-0";
  // How many entries the stream had ever received up to and including last_id_.
  long long position_count_ = 0;
  StreamState stream_;
  bool need_reload_ = true;

  std::jthread follower_;
};

}  // namespace hookline
