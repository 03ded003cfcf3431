#include "tests/support/worker_process.hpp"

#include <cstdlib>

#ifndef HOOKLINE_BINARY
#error "HOOKLINE_BINARY must name the built hookline executable"
#endif

namespace hookline::testing {
namespace {

// The binary built beside the tests; HOOKLINE_BINARY in the environment overrides it (a soak
// run uses a copy, so rebuilding meanwhile does not swap the program under it).
std::string hooklineBinary() {
  const char* binary = std::getenv("HOOKLINE_BINARY");
  return binary != nullptr && *binary != '\0' ? binary : HOOKLINE_BINARY;
}

std::vector<std::string> commandLine(std::vector<std::string> args,
                                     const std::vector<std::string>& launcher) {
  args.insert(args.begin(), hooklineBinary());
  args.insert(args.begin(), launcher.begin(), launcher.end());
  return args;
}

}  // namespace

WorkerProcess::WorkerProcess(std::vector<std::string> args, std::vector<std::string> launcher)
    : process_(commandLine(std::move(args), launcher)) {}

std::string WorkerProcess::logTail() const {
  const std::string all = process_.output();
  return all.size() > 4000 ? all.substr(all.size() - 4000) : all;
}

}  // namespace hookline::testing
