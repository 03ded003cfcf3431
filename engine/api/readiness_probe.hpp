#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "common/redis_link.hpp"

namespace hookline {

// Whether Redis answers, as a background thread last found out: /readyz reads the result
// instead of waiting on Redis on an io thread. The thread PINGs every `interval` over a link of
// its own whose timeouts are at most `ping_timeout`; a success counts for `valid_for`, so a
// PING that hangs turns the answer to false even before it fails. The defaults make /readyz
// turn within two seconds of Redis going away or coming back (DESIGN.md section 7).
//
// Threading: reachable() may be called from any thread and never blocks. The constructor
// makes the first PING itself, so that a server answers /readyz correctly from its first
// request: it may take up to `ping_timeout`, and so must not run on an io thread.
class ReadinessProbe {
 public:
  struct Timing {
    std::chrono::milliseconds interval{500};
    std::chrono::milliseconds ping_timeout{1000};
    std::chrono::milliseconds valid_for{1500};
  };

  ReadinessProbe(RedisOptions redis, Timing timing);
  explicit ReadinessProbe(RedisOptions redis) : ReadinessProbe(std::move(redis), Timing{}) {}
  ~ReadinessProbe();

  ReadinessProbe(const ReadinessProbe&) = delete;
  ReadinessProbe& operator=(const ReadinessProbe&) = delete;

  bool reachable() const;

 private:
  using Clock = std::chrono::steady_clock;

  void ping();
  void run();

  Timing timing_;
  RedisLink link_;  // used by the probing thread only (and the constructor before it starts)
  // Until when the last successful PING vouches for Redis; the epoch when it failed.
  std::atomic<Clock::duration::rep> ok_until_{0};
  std::mutex mutex_;  // guards stopping_
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;  // last: started once the rest exists
};

}  // namespace hookline
