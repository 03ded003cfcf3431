#include "tests/support/node_verifier.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>

#include <unistd.h>

namespace hookline::testing {
namespace {

std::filesystem::path sourceDir() {
  const char* dir = std::getenv("HOOKLINE_SOURCE_DIR");
  if (dir == nullptr) {
    throw std::runtime_error("HOOKLINE_SOURCE_DIR is not set (run the tests through ctest)");
  }
  return dir;
}

}  // namespace

NodeVerdict verifyWithStandardWebhooks(const std::vector<ReceivedRequest>& requests,
                                       const std::vector<std::string>& secrets) {
  const auto node_dir = sourceDir() / "tests" / "node";
  if (!std::filesystem::exists(node_dir / "node_modules" / "standardwebhooks")) {
    throw std::runtime_error("standardwebhooks is not installed in " + node_dir.string() +
                             " (scripts/test.sh installs it with npm)");
  }
  nlohmann::json input = {{"secrets", secrets}, {"requests", nlohmann::json::array()}};
  for (const auto& request : requests) {
    input["requests"].push_back({{"id", request.header("webhook-id")},
                                 {"timestamp", request.header("webhook-timestamp")},
                                 {"signature", request.header("webhook-signature")},
                                 {"body", request.body}});
  }
  const auto file = std::filesystem::temp_directory_path() /
                    ("hookline-verify-" + std::to_string(::getpid()) + ".json");
  std::ofstream(file) << input.dump();

  const std::string command =
      "node " + (node_dir / "verify_signatures.js").string() + " " + file.string();
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
  if (!pipe) {
    throw std::runtime_error("cannot run node");
  }
  std::string output;
  std::array<char, 4096> buffer{};
  while (std::fgets(buffer.data(), buffer.size(), pipe.get()) != nullptr) {
    output += buffer.data();
  }
  std::filesystem::remove(file);
  auto verdict = nlohmann::json::parse(output, nullptr, false);
  if (verdict.is_discarded()) {
    throw std::runtime_error("the node verifier printed no verdict: " + output);
  }
  return NodeVerdict{verdict["verified"].get<int>(), verdict["failures"].dump()};
}

}  // namespace hookline::testing
