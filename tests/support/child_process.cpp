#include "tests/support/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace hookline::testing {
namespace {

std::string nextLogPath() {
  static std::atomic<int> counter{0};
  return (std::filesystem::temp_directory_path() / ("hookline-child-" + std::to_string(::getpid()) +
                                                    "-" + std::to_string(counter++) + ".log"))
      .string();
}

// The test's environment with `overrides` replacing or adding variables.
std::vector<std::string> mergedEnvironment(const ChildEnvironment& overrides) {
  std::vector<std::string> merged;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string text = *entry;
    const std::string name = text.substr(0, text.find('='));
    bool replaced = false;
    for (const auto& [key, value] : overrides) {
      replaced = replaced || key == name;
    }
    if (!replaced) {
      merged.push_back(text);
    }
  }
  for (const auto& [key, value] : overrides) {
    merged.push_back(key + "=" + value);
  }
  return merged;
}

}  // namespace

ChildProcess::ChildProcess(std::vector<std::string> argv, const ChildEnvironment& environment)
    : log_path_(nextLogPath()) {
  std::vector<std::string> env_strings = mergedEnvironment(environment);
  std::vector<char*> args;
  for (auto& arg : argv) {
    args.push_back(arg.data());
  }
  args.push_back(nullptr);
  std::vector<char*> env;
  for (auto& entry : env_strings) {
    env.push_back(entry.data());
  }
  env.push_back(nullptr);

  const int log = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (log < 0) {
    throw std::runtime_error("cannot open " + log_path_);
  }
  pid_ = ::fork();
  if (pid_ < 0) {
    ::close(log);
    throw std::runtime_error("cannot fork for " + argv.front());
  }
  if (pid_ == 0) {
    // Only async-signal-safe calls between fork and exec.
    ::dup2(log, STDOUT_FILENO);
    ::dup2(log, STDERR_FILENO);
    ::execvpe(args[0], args.data(), env.data());
    ::_exit(127);
  }
  ::close(log);
}

ChildProcess::~ChildProcess() {
  if (running()) {
    signal(SIGKILL);
  }
  std::error_code ignored;
  std::filesystem::remove(log_path_, ignored);
}

void ChildProcess::signal(int signal_number) {
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

bool ChildProcess::running() {
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

int ChildProcess::waitForExit(std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (running() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (status_ == -1 || !WIFEXITED(status_)) {
    return -1;
  }
  return WEXITSTATUS(status_);
}

std::string ChildProcess::output() const {
  std::ifstream in(log_path_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> ChildProcess::jsonLines() const {
  std::vector<std::string> lines;
  std::istringstream in(output());
  for (std::string line; std::getline(in, line);) {
    if (nlohmann::json::parse(line, nullptr, false).is_object()) {
      lines.push_back(line);
    }
  }
  return lines;
}

ProgramRun runProgram(std::vector<std::string> argv, const ChildEnvironment& environment,
                      std::chrono::milliseconds timeout) {
  ChildProcess child(std::move(argv), environment);
  ProgramRun run;
  run.exit_code = child.waitForExit(timeout);
  run.output = child.output();
  return run;
}

std::filesystem::path sourceDir() {
  const char* dir = std::getenv("HOOKLINE_SOURCE_DIR");
  if (dir == nullptr) {
    throw std::runtime_error("HOOKLINE_SOURCE_DIR is not set (run the tests through ctest)");
  }
  return dir;
}

bool programAvailable(const std::string& program) {
  if (program.find('/') != std::string::npos) {
    return ::access(program.c_str(), X_OK) == 0;
  }
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path == nullptr ? "" : path);
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (!dir.empty() && ::access((dir + "/" + program).c_str(), X_OK) == 0) {
      return true;
    }
  }
  return false;
}

}  // namespace hookline::testing
