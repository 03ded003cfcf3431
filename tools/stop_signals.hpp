#pragma once

#include <atomic>
#include <functional>
#include <thread>

namespace hookline {

// Turns SIGINT and SIGTERM into a call of `on_stop` on a thread of its own, so stopping never
// runs inside a signal handler. Construct it before starting other threads: it blocks both
// signals in the calling thread, and threads started afterwards inherit that mask.
class StopSignals {
 public:
  explicit StopSignals(std::function<void(int signal_number)> on_stop);

  // Blocks SIGINT and SIGTERM in the calling thread; call it before starting any thread when
  // the StopSignals itself is made later.
  static void blockInThisThread();
  ~StopSignals();

  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

 private:
  std::function<void(int)> on_stop_;
  std::atomic<bool> closing_{false};
  std::thread thread_;
};

}  // namespace hookline
