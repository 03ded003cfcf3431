#include "tools/stop_signals.hpp"

#include <pthread.h>
#include <signal.h>

namespace hookline {
namespace {

sigset_t stopSet() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

void StopSignals::blockInThisThread() {
  sigset_t set = stopSet();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

StopSignals::StopSignals(std::function<void(int)> on_stop) : on_stop_(std::move(on_stop)) {
  blockInThisThread();
  sigset_t set = stopSet();
  thread_ = std::thread([this, set] {
    for (;;) {
      int received = 0;
      if (sigwait(&set, &received) != 0) {
        continue;
      }
      if (closing_.load()) {
        return;
      }
      on_stop_(received);
    }
  });
}

StopSignals::~StopSignals() {
  closing_.store(true);
  pthread_kill(thread_.native_handle(), SIGTERM);
  thread_.join();
}

}  // namespace hookline
