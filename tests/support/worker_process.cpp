#include "tests/support/worker_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#ifndef HOOKLINE_BINARY
#error "HOOKLINE_BINARY must name the built hookline executable"
#endif

namespace hookline::testing {
namespace {

std::string nextLogPath() {
  static std::atomic<int> counter{0};
  return (std::filesystem::temp_directory_path() /
          ("hookline-worker-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) +
           ".log"))
      .string();
}

// The binary built beside the tests; HOOKLINE_BINARY in the environment overrides it (a soak
// run uses a copy, so rebuilding meanwhile does not swap the program under it).
std::string hooklineBinary() {
  const char* binary = std::getenv("HOOKLINE_BINARY");
  return binary != nullptr && *binary != '\0' ? binary : HOOKLINE_BINARY;
}

}  // namespace

WorkerProcess::WorkerProcess(std::vector<std::string> args, std::vector<std::string> launcher)
    : log_path_(nextLogPath()) {
  args.insert(args.begin(), hooklineBinary());
  args.insert(args.begin(), launcher.begin(), launcher.end());
  std::vector<char*> argv;
  for (auto& arg : args) {
    argv.push_back(arg.data());
  }
  argv.push_back(nullptr);

  const int log = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (log < 0) {
    throw std::runtime_error("cannot open " + log_path_);
  }
  pid_ = ::fork();
  if (pid_ < 0) {
    ::close(log);
    throw std::runtime_error("cannot fork hookline");
  }
  if (pid_ == 0) {
    // Only async-signal-safe calls between fork and exec.
    ::dup2(log, STDOUT_FILENO);
    ::dup2(log, STDERR_FILENO);
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(log);
}

WorkerProcess::~WorkerProcess() {
  if (running()) {
    kill(SIGKILL);
  }
  std::error_code ignored;
  std::filesystem::remove(log_path_, ignored);
}

void WorkerProcess::kill(int signal_number) {
  if (pid_ <= 0 || status_ != -1) {
    return;
  }
  ::kill(pid_, signal_number);
  if (signal_number == SIGKILL) {
    int status = 0;
    if (::waitpid(pid_, &status, 0) == pid_) {
      status_ = status;
    }
  }
}

bool WorkerProcess::running() {
  if (pid_ <= 0 || status_ != -1) {
    return false;
  }
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    status_ = status;
    return false;
  }
  return true;
}

int WorkerProcess::waitForExit(std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (running() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (status_ == -1 || !WIFEXITED(status_)) {
    return -1;
  }
  return WEXITSTATUS(status_);
}

std::string WorkerProcess::logTail() const {
  std::ifstream in(log_path_);
  std::stringstream text;
  text << in.rdbuf();
  const std::string all = text.str();
  return all.size() > 4000 ? all.substr(all.size() - 4000) : all;
}

}  // namespace hookline::testing
