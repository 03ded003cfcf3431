#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/expected.hpp"
#include "common/redis_link.hpp"
#include "engine/event.hpp"

namespace hookline {

// One entry as read from the group.
struct StreamEntry {
  std::string id;
  StreamFields fields;
  // Redis no longer has the entry's content: it was deleted or trimmed after being read, while
  // still pending (its fields came back nil).
  bool deleted = false;
  // How often the group has handed the entry out, this time included. Known for re-read and
  // reclaimed entries; a first read is 1.
  long long deliveries = 1;
};

// One [id, fields] element of an XREADGROUP or XAUTOCLAIM reply.
Expected<StreamEntry> parseEntryReply(const redisReply* item);

// Fills in each entry's delivery count from the group's pending list (XPENDING, pipelined);
// an entry no longer pending keeps its count.
Status readDeliveryCounts(RedisLink& link, const std::string& stream, const std::string& group,
                          std::span<StreamEntry> entries);

// Reads one stream through a consumer group. Owns no thread: the caller's thread blocks in
// readBatch() for at most the block time plus the link's command timeout.
class StreamReader {
 public:
  struct Options {
    std::string stream = "hookline:events";
    std::string group = "hookline";
    std::string consumer;
    std::size_t batch_size = 256;
    std::chrono::milliseconds block{1000};
  };

  StreamReader(RedisLink& link, Options options);

  // Creates the group if missing. It starts at 0, so entries written before hookline first ran
  // are delivered; MKSTREAM creates an absent stream; BUSYGROUP means another worker won the
  // race and counts as success.
  Status ensureGroup();

  // The next batch. This consumer's own pending entries come first (left by a previous run
  // under the same name, or by a read whose reply was lost with the link), then new ones. An
  // empty batch means nothing arrived within the block time. A missing group (stream or group
  // deleted, seen as NOGROUP or as the UNBLOCKED error that wakes a blocked read) is recreated
  // and an empty batch returned. Own pending entries come with their
  // delivery counts.
  // At most `max_count` entries (and never more than the batch size): the engine asks for no
  // more than it has free slots, so what it cannot take yet stays unread in Redis.
  Expected<std::vector<StreamEntry>> readBatch(std::size_t max_count = SIZE_MAX);

  bool readingOwnPending() const { return pending_cursor_ != ">"; }
  // The last readBatch() found the group missing (NOGROUP, or a blocked read woken by
  // UNBLOCKED because the stream went away under it) and recreated it.
  bool groupWasMissing() const { return group_was_missing_; }

 private:
  Expected<std::vector<StreamEntry>> parseReply(const redisReply* reply) const;

  RedisLink& link_;
  Options options_;
  std::string pending_cursor_ = "0";
  bool group_was_missing_ = false;
};

}  // namespace hookline
