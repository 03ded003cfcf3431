#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace hookline::testing {

using ChildEnvironment = std::vector<std::pair<std::string, std::string>>;

// Another program a test runs (node, python3, a shell script), found on PATH unless the path is
// absolute, with the test's environment plus `environment`. What it prints (stdout and stderr)
// goes to a log file the test reads with output(). The destructor kills it (by its pid) if it
// still runs.
class ChildProcess {
 public:
  // Throws std::runtime_error when it cannot be started.
  explicit ChildProcess(std::vector<std::string> argv, const ChildEnvironment& environment = {});
  ~ChildProcess();

  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // Sends the signal and, for SIGKILL, waits for the process to be gone.
  void signal(int signal_number);
  bool running();
  // The exit code once it ended by itself within `timeout`; -1 if it did not, or was killed.
  int waitForExit(std::chrono::milliseconds timeout);
  // Everything it printed so far.
  std::string output() const;
  // The lines printed so far that parse as JSON objects, as text.
  std::vector<std::string> jsonLines() const;

 private:
  pid_t pid_ = -1;
  int status_ = -1;
  std::string log_path_;
};

// What a program that ran to its end printed.
struct ProgramRun {
  int exit_code = -1;  // -1: did not end within the timeout (it is killed then)
  std::string output;
};

// Runs a program to its end, at most `timeout`.
ProgramRun runProgram(std::vector<std::string> argv, const ChildEnvironment& environment = {},
                      std::chrono::milliseconds timeout = std::chrono::seconds(60));

// The source tree (HOOKLINE_SOURCE_DIR, set by ctest); throws when unset.
std::filesystem::path sourceDir();

// True when `program` is found on PATH (or is an executable absolute path).
bool programAvailable(const std::string& program);

}  // namespace hookline::testing
