#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "tests/support/child_process.hpp"

namespace hookline::testing {

// A real `hookline` child process (the binary built next to the tests), for tests that kill a
// worker with SIGKILL: a ChildProcess running that binary. Its output goes to a log file that
// logTail() shows. The destructor kills it (by pid) if it still runs.
class WorkerProcess {
 public:
  // Starts `hookline <args>`, or `<launcher...> hookline <args>` (e.g. unshare for a private
  // mount namespace); throws std::runtime_error when it cannot.
  explicit WorkerProcess(std::vector<std::string> args, std::vector<std::string> launcher = {});

  pid_t pid() const { return process_.pid(); }
  // Sends the signal and, for SIGKILL, waits for the process to be gone.
  void kill(int signal_number) { process_.signal(signal_number); }
  // True while the process has not exited.
  bool running() { return process_.running(); }
  // The exit status once it ended by itself within `timeout`, -1 otherwise.
  int waitForExit(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    return process_.waitForExit(timeout);
  }
  // The last lines of its output.
  std::string logTail() const;

 private:
  ChildProcess process_;
};

}  // namespace hookline::testing
