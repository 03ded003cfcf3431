#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/redis_link.hpp"
#include "engine/api/api_worker_context.hpp"

namespace hookline {

// A few threads that run the blocking part of API requests (Redis commands, host name
// lookups) so that the io threads never wait on them. The queue is bounded: a job that does
// not fit is refused at once, and one still queued at its deadline is dropped unrun, since its
// client has been answered by then.
//
// Threading: submit() and stop() may be called from any thread. Jobs run on the pool's
// threads, one at a time per thread, each with that thread's context. A job is destroyed on
// whichever thread drops or runs it, so what it captures must allow that.
class ApiWorkPool {
 public:
  using Clock = std::chrono::steady_clock;

  struct Job {
    std::function<void(ApiWorkerContext&)> run;
    Clock::time_point deadline = Clock::time_point::max();
  };

  // `name` labels the log lines ("management", "metrics").
  ApiWorkPool(std::string name, std::size_t threads, std::size_t queue_limit, RedisOptions redis,
              std::string key_prefix);
  ~ApiWorkPool();

  ApiWorkPool(const ApiWorkPool&) = delete;
  ApiWorkPool& operator=(const ApiWorkPool&) = delete;

  // False when the queue is full or the pool is stopping; the job is then dropped here.
  bool submit(Job job);
  // Drops the queued jobs and lets the threads end after their current job. Does not wait, so
  // an io thread may call it. Idempotent.
  void stop();
  // stop(), then waits for the threads, which is as long as a running job takes.
  void join();

  // Jobs refused because the queue was full, and jobs dropped at their deadline, since start.
  std::uint64_t refused() const { return refused_.load(std::memory_order_relaxed); }
  std::uint64_t expired() const { return expired_.load(std::memory_order_relaxed); }

 private:
  void work();

  std::string name_;
  std::size_t queue_limit_;
  RedisOptions redis_;
  std::string key_prefix_;
  std::mutex mutex_;  // guards queue_ and stopping_
  std::condition_variable wake_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  std::atomic<std::uint64_t> refused_{0};
  std::atomic<std::uint64_t> expired_{0};
  std::vector<std::thread> threads_;  // last: started once the rest exists
};

}  // namespace hookline
