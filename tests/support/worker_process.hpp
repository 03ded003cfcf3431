#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace hookline::testing {

// A real `hookline` child process (the binary built next to the tests), for tests that kill a
// worker with SIGKILL. Its output goes to a log file that describe() shows. The destructor
// kills it (by pid) if it still runs.
class WorkerProcess {
 public:
  // Starts `hookline <args>`, or `<launcher...> hookline <args>` (e.g. unshare for a private
  // mount namespace); throws std::runtime_error when it cannot.
  explicit WorkerProcess(std::vector<std::string> args, std::vector<std::string> launcher = {});
  ~WorkerProcess();

  WorkerProcess(const WorkerProcess&) = delete;
  WorkerProcess& operator=(const WorkerProcess&) = delete;

  pid_t pid() const { return pid_; }
  // Sends the signal and, for SIGKILL, waits for the process to be gone.
  void kill(int signal_number);
  // True while the process has not exited.
  bool running();
  // The exit status once it ended by itself within `timeout`, -1 otherwise.
  int waitForExit(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // The last lines of its output.
  std::string logTail() const;

 private:
  pid_t pid_ = -1;
  int status_ = -1;
  std::string log_path_;
};

}  // namespace hookline::testing
