#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tools/http_reference.hpp"

namespace hookline {
namespace {

namespace fs = std::filesystem;

std::string luaScript(const std::string& body) {
  // A long bracket with enough '=' that the body cannot close it early.
  std::string level = "=";
  while (body.find("]" + level + "]") != std::string::npos) {
    level += "=";
  }
  return "wrk.method = \"POST\"\n"
         "wrk.headers[\"Content-Type\"] = \"application/json\"\n"
         "wrk.body = [" +
         level + "[" + body + "]" + level + "]\n";
}

// Runs argv with stdout captured; kills the child (by its pid) if it outlives `limit`.
Expected<std::string> runCaptured(const std::vector<std::string>& args,
                                  std::chrono::seconds limit) {
  int pipe_ends[2];
  if (pipe(pipe_ends) != 0) {
    return Error{"pipe failed"};
  }
  const pid_t child = fork();
  if (child < 0) {
    return Error{"fork failed"};
  }
  if (child == 0) {
    dup2(pipe_ends[1], STDOUT_FILENO);
    close(pipe_ends[0]);
    close(pipe_ends[1]);
    std::vector<char*> argv;
    for (const auto& arg : args) {
      argv.push_back(const_cast<char*>(arg.c_str()));
    }
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  close(pipe_ends[1]);

  // A watchdog ends the child if it hangs; the read below then sees end of file.
  std::atomic<bool> finished{false};
  std::thread watchdog([&] {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!finished.load() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (!finished.load()) {
      kill(child, SIGKILL);
    }
  });
  std::string output;
  char buffer[4096];
  for (ssize_t n; (n = read(pipe_ends[0], buffer, sizeof buffer)) > 0;) {
    output.append(buffer, static_cast<std::size_t>(n));
  }
  close(pipe_ends[0]);
  int status = 0;
  waitpid(child, &status, 0);
  finished.store(true);
  watchdog.join();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Error{"wrk failed (status " + std::to_string(status) + "): " + output};
  }
  return output;
}

}  // namespace

bool wrkAvailable() {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (!dir.empty() && access((fs::path(dir) / "wrk").c_str(), X_OK) == 0) {
      return true;
    }
  }
  return false;
}

Expected<ReferenceResult> runWrkReference(const ReferencePlan& plan) {
  std::error_code error;
  const fs::path script =
      fs::temp_directory_path() / ("hookline-loadtest-" + std::to_string(getpid()) + ".lua");
  std::ofstream(script) << luaScript(plan.body);

  const auto output = runCaptured(
      {"wrk", "-t", std::to_string(plan.threads), "-c", std::to_string(plan.connections), "-d",
       std::to_string(plan.duration.count()) + "s", "-s", script.string(), plan.url},
      plan.duration + std::chrono::seconds(15));
  fs::remove(script, error);
  if (!output) {
    return output.error();
  }

  ReferenceResult result;
  result.tool = "wrk";
  std::smatch match;
  if (!std::regex_search(*output, match, std::regex(R"(Requests/sec:\s*([0-9.]+))"))) {
    return Error{"no Requests/sec in the output of wrk: " + *output};
  }
  result.requests_per_s = std::stod(match[1]);
  if (std::regex_search(*output, match, std::regex(R"((\d+) requests in)"))) {
    result.requests = std::stoull(match[1]);
  }
  if (std::regex_search(*output, match, std::regex(R"(Non-2xx or 3xx responses:\s*(\d+))"))) {
    result.errors = std::stoull(match[1]);
  }
  return result;
}

}  // namespace hookline
