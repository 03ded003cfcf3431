#include "engine/outcome_writer.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "registry/registry_store.hpp"

namespace hookline {

OutcomeWriter::OutcomeWriter(RedisOptions redis, Options options, Written on_written)
    : link_(std::move(redis)), options_(std::move(options)), on_written_(std::move(on_written)) {}

OutcomeWriter::~OutcomeWriter() {
  stop(std::chrono::milliseconds(0));
}

void OutcomeWriter::start() {
  thread_ = std::thread([this] { run(); });
}

void OutcomeWriter::submit(Outcome outcome) {
  bool was_empty = false;
  {
    std::lock_guard lock(mutex_);
    was_empty = queue_.empty();
    queue_.push_back(std::move(outcome));
  }
  // The writer sleeps only on an empty queue; waking it for every outcome would cost a system
  // call per delivery while it is busy writing the previous batch anyway.
  if (was_empty) {
    wake_.notify_one();
  }
}

void OutcomeWriter::stop(std::chrono::milliseconds deadline) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      stopping_ = true;
      stop_deadline_ = std::chrono::steady_clock::now() + deadline;
    }
  }
  wake_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

std::size_t OutcomeWriter::backlog() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

void OutcomeWriter::run() {
  std::deque<Outcome> batch;
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty() || (stopping_ && std::chrono::steady_clock::now() >= stop_deadline_)) {
      if (!queue_.empty()) {
        spdlog::warn("outcomes left unwritten at stop count={} (entries stay pending)",
                     queue_.size());
      }
      return;
    }
    while (!queue_.empty() && batch.size() < options_.batch_size) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    lock.unlock();
    const bool written = writeBatch(batch);
    if (written && on_acked_) {
      std::vector<std::string> acked;
      acked.reserve(batch.size());
      for (const auto& outcome : batch) {
        if (!outcome.ack_entry_id.empty()) {
          acked.push_back(outcome.ack_entry_id);
        }
      }
      on_acked_(acked);
    }
    if (written && on_written_) {
      on_written_(batch.size());
    }
    lock.lock();
    if (!written) {
      // Put the batch back in front, in order, and pause before trying again.
      while (!batch.empty()) {
        queue_.push_front(std::move(batch.back()));
        batch.pop_back();
      }
      wake_.wait_for(lock, options_.retry_pause);
    }
    batch.clear();
  }
}

bool OutcomeWriter::writeBatch(std::deque<Outcome>& batch) {
  RedisCommand ack = {"XACK", options_.stream, options_.group};
  std::vector<const AttemptRecord*> records;
  std::size_t commands = 0;
  for (const auto& outcome : batch) {
    if (!outcome.writes.empty()) {
      // Records gathered so far go first, so every list stays in the order attempts ended.
      appendRecords(records);
      commands += records.size();
      records.clear();
      appendTransaction(outcome);
      ++commands;
      continue;
    }
    if (outcome.attempt) {
      records.push_back(&*outcome.attempt);
    }
    if (!outcome.ack_entry_id.empty()) {
      ack.push_back(outcome.ack_entry_id);
    }
  }
  appendRecords(records);
  commands += records.size();
  if (ack.size() > 3) {
    link_.append(ack);
    ++commands;
  }
  if (commands > 0) {
    auto replies = link_.flush();
    if (!replies) {
      warning_.fail(fmt::format("outcome write failed, will retry count={} error=\"{}\"",
                                batch.size(), replies.error().message));
      return false;
    }
    warning_.recovered();
    for (const auto& reply : *replies) {
      if (isErrorReply(reply.get())) {
        // A command Redis refused will be refused again; report it rather than loop on it.
        spdlog::error("outcome write refused by Redis error={}", replyString(reply.get()));
      }
    }
  }

  for (const auto& outcome : batch) {
    if (outcome.disable_channel.empty()) {
      continue;
    }
    RegistryStore store(link_, options_.key_prefix);
    if (auto status = store.disableWebhook(outcome.disable_channel, outcome.disable_reason);
        !status) {
      spdlog::error("cannot disable webhook channel={} error={}", outcome.disable_channel,
                    status.error().message);
    }
  }
  return true;
}

void OutcomeWriter::appendTransaction(const Outcome& outcome) {
  link_.append({"MULTI"});
  for (const auto& write : outcome.writes) {
    link_.append(write);
  }
  if (outcome.attempt) {
    appendRecords({&*outcome.attempt});
  }
  if (!outcome.ack_entry_id.empty()) {
    link_.append({"XACK", options_.stream, options_.group, outcome.ack_entry_id});
  }
  link_.append({"EXEC"});
}

void OutcomeWriter::appendRecords(const std::vector<const AttemptRecord*>& records) {
  // Lists in order of first appearance; a batch holds at most a few hundred records.
  std::vector<RedisCommand> pushes;
  std::unordered_map<std::string_view, std::size_t> list_index;
  for (const AttemptRecord* record : records) {
    auto [found, added] = list_index.try_emplace(record->list_key, pushes.size());
    if (added) {
      pushes.push_back({"LPUSH", record->list_key});
    }
    pushes[found->second].push_back(record->record);
  }
  const std::string last_kept =
      std::to_string(std::max<std::size_t>(options_.attempt_history, 1) - 1);
  for (const auto& push : pushes) {
    link_.append(push);
    link_.append({"LTRIM", push[1], "0", last_kept});
  }
}

}  // namespace hookline
