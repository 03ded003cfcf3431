#include "tools/commands.hpp"

int main(int argc, char** argv) {
  using namespace hookline;

  CLI::App app;
  CommonOptions common;
  addHooklineCli(app, common);

  CLI11_PARSE(app, argc, argv);
  return 0;
}
