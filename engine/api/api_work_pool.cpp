#include "engine/api/api_work_pool.hpp"

#include <algorithm>
#include <exception>
#include <utility>

#include <spdlog/spdlog.h>

namespace hookline {

ApiWorkPool::ApiWorkPool(std::string name, std::size_t threads, std::size_t queue_limit,
                         RedisOptions redis, std::string key_prefix)
    : name_(std::move(name)),
      queue_limit_(queue_limit),
      redis_(std::move(redis)),
      key_prefix_(std::move(key_prefix)) {
  for (std::size_t i = 0; i < std::max<std::size_t>(threads, 1); ++i) {
    threads_.emplace_back([this] { work(); });
  }
}

ApiWorkPool::~ApiWorkPool() {
  join();
}

bool ApiWorkPool::submit(Job job) {
  std::unique_lock lock(mutex_);
  if (stopping_) {
    return false;
  }
  if (queue_.size() >= queue_limit_) {
    lock.unlock();
    const auto refused = refused_.fetch_add(1, std::memory_order_relaxed) + 1;
    spdlog::warn("api work refused pool={} reason=\"queue full\" queue_limit={} refused={}", name_,
                 queue_limit_, refused);
    return false;
  }
  queue_.push_back(std::move(job));
  lock.unlock();
  wake_.notify_one();
  return true;
}

void ApiWorkPool::stop() {
  std::deque<Job> dropped;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    dropped.swap(queue_);
  }
  wake_.notify_all();
  // Destroyed outside the lock: a job may hold the last reference to what it serves.
  dropped.clear();
}

void ApiWorkPool::join() {
  stop();
  for (auto& thread : threads_) {
    if (thread.joinable()) {
      thread.join();
    }
  }
}

void ApiWorkPool::work() {
  ApiWorkerContext context(redis_, key_prefix_);
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) {
        return;
      }
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    if (Clock::now() >= job.deadline) {
      const auto expired = expired_.fetch_add(1, std::memory_order_relaxed) + 1;
      spdlog::warn("api work dropped pool={} reason=\"deadline passed in the queue\" expired={}",
                   name_, expired);
      continue;
    }
    // A handler that throws must not end the thread; its client gets the deadline's 503.
    try {
      job.run(context);
    } catch (const std::exception& error) {
      spdlog::error("api work failed pool={} reason=\"{}\"", name_, error.what());
    }
  }
}

}  // namespace hookline
