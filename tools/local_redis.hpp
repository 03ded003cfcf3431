#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>

#include "common/expected.hpp"

namespace hookline {

// A private redis-server on a free loopback port, in a folder of its own, for the demo, the
// load test and the test suite. It is stopped (and its folder removed if it made one) when
// this object is destroyed.
class LocalRedis {
 public:
  struct Options {
    std::string executable = "redis-server";
    std::filesystem::path directory;  // empty: a new temporary folder, removed at the end
    int port = 0;                     // 0: a free port chosen now
    bool append_only = false;         // AOF on, for tests that restart the server
  };

  static Expected<std::unique_ptr<LocalRedis>> start(Options options);
  static Expected<std::unique_ptr<LocalRedis>> start() { return start(Options{}); }
  ~LocalRedis();

  LocalRedis(const LocalRedis&) = delete;
  LocalRedis& operator=(const LocalRedis&) = delete;

  int port() const { return options_.port; }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(options_.port); }
  pid_t pid() const { return pid_; }
  const std::filesystem::path& directory() const { return options_.directory; }

  // Sends a signal to the server process (SIGSTOP/SIGCONT/SIGKILL for fault tests).
  void signal(int signal_number) const;
  // Stops the server (SIGTERM, then SIGKILL after a grace period) and waits for it.
  void stop();
  // Starts it again on the same port and folder.
  Status restart();

 private:
  explicit LocalRedis(Options options, bool owns_directory);
  Status launch();

  Options options_;
  bool owns_directory_ = false;
  pid_t pid_ = -1;
};

// A TCP port on 127.0.0.1 that nothing listens on at the moment of the call.
int freeLoopbackPort();

}  // namespace hookline
