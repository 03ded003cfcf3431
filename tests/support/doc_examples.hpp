#pragma once

#include <filesystem>
#include <string>

#include "tests/support/child_process.hpp"

namespace hookline::testing {

// Debian's python3-redis belongs to Debian's interpreter; a python3 found earlier on PATH (a
// pyenv or a virtualenv) does not see it, so the examples run under this one.
inline constexpr const char* kDebianPython = "/usr/bin/python3";

// docs/examples/<name> in the source tree.
std::filesystem::path docExample(const std::string& name);

// Throws, naming what is missing and how to install it, unless node, the npm packages of
// tests/node (`package` among them), redis-cli and Debian's python3 with python3-redis are
// all there: the tests of the examples fail loudly rather than skip.
void requireExampleTools(const std::string& package);

// NODE_PATH pointing at tests/node/node_modules, so docs/examples/*.js find their packages.
ChildEnvironment nodeEnvironment();

}  // namespace hookline::testing
