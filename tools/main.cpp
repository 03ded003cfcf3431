#include "tools/commands.hpp"

int main(int argc, char** argv) {
  using namespace hookline;

  CLI::App app{"hookline: delivers events from a Redis stream to each channel's webhook"};
  app.set_version_flag("--version", std::string("hookline ") + HOOKLINE_VERSION);
  app.require_subcommand(1);
  // Common options may also follow the subcommand: `hookline serve --redis URL`.
  app.fallthrough(true);

  CommonOptions common;
  addCommonOptions(app, common);
  addServeCommands(app, common);
  addAdminCommands(app, common);
  addEmitCommand(app, common);
  addSinkCommand(app, common);
  addDemoCommand(app, common);
  addDlqCommand(app, common);
  addStatusCommand(app, common);
  addLoadtestCommand(app, common);

  CLI11_PARSE(app, argc, argv);
  return 0;
}
