#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace hookline::testing {

// A program the test starts, with stdout and stderr going to a log file. Ended with SIGKILL
// in the destructor if still running; only this pid is ever signalled.
class ChildProcess {
 public:
  ChildProcess(std::vector<std::string> argv, std::filesystem::path log_file);
  ~ChildProcess();

  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  void signal(int signal_number);
  // The exit code once the process ends within `timeout` (128 + n for signal n).
  std::optional<int> waitExit(std::chrono::milliseconds timeout);
  const std::filesystem::path& logFile() const { return log_file_; }
  std::string log() const;

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  std::filesystem::path log_file_;
};

}  // namespace hookline::testing
