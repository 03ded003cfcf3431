#include "tools/commands.hpp"

namespace hookline {

void addHooklineCli(CLI::App& app, CommonOptions& common) {
  app.description("hookline: delivers events from a Redis stream to each channel's webhook");
  app.set_version_flag("--version", std::string("hookline ") + HOOKLINE_VERSION);
  app.require_subcommand(1);
  // Common options may also follow the subcommand: `hookline serve --redis URL`.
  app.fallthrough(true);

  addCommonOptions(app, common);
  addServeCommands(app, common);
  addAdminCommands(app, common);
  addEmitCommand(app, common);
  addSinkCommand(app, common);
  addDemoCommand(app, common);
  addDlqCommand(app, common);
  addStatusCommand(app, common);
  addLoadtestCommand(app, common);
}

}  // namespace hookline
