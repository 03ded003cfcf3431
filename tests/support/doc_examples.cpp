#include "tests/support/doc_examples.hpp"

#include <stdexcept>

namespace hookline::testing {

std::filesystem::path docExample(const std::string& name) {
  return sourceDir() / "docs" / "examples" / name;
}

void requireExampleTools(const std::string& package) {
  std::string missing;
  for (const char* program : {"node", "redis-cli", kDebianPython}) {
    if (!programAvailable(program)) {
      missing += std::string(" ") + program;
    }
  }
  const auto modules = sourceDir() / "tests" / "node" / "node_modules";
  if (!std::filesystem::exists(modules / package)) {
    missing += " the npm package " + package + " (cd tests/node && npm install)";
  }
  if (programAvailable(kDebianPython) &&
      runProgram({kDebianPython, "-c", "import redis"}).exit_code != 0) {
    missing += " python3-redis (apt-get install python3-redis)";
  }
  if (!missing.empty()) {
    throw std::runtime_error("missing for the docs/examples tests:" + missing +
                             " (scripts/install-deps.sh installs them)");
  }
}

ChildEnvironment nodeEnvironment() {
  return {{"NODE_PATH", (sourceDir() / "tests" / "node" / "node_modules").string()}};
}

}  // namespace hookline::testing
