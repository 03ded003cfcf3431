#include <cstdlib>

#include "common/log.hpp"
#include "tools/commands.hpp"

int main(int argc, char** argv) {
  using namespace hookline;

  CLI::App app{"hookline: delivers events from a Redis stream to each channel's webhook"};
  app.set_version_flag("--version", std::string("hookline ") + HOOKLINE_VERSION);
  app.require_subcommand(1);
  // Common options may also follow the subcommand: `hookline serve --redis URL`.
  app.fallthrough(true);

  CommonOptions common;
  if (const char* url = std::getenv("HOOKLINE_REDIS_URL")) {
    common.redis_url = url;
  }
  app.add_option("--redis", common.redis_url, "Redis URL (env HOOKLINE_REDIS_URL)")
      ->capture_default_str();
  app.add_option("--stream", common.stream, "the event stream")->capture_default_str();
  app.add_option("--group", common.group, "the consumer group")->capture_default_str();
  app.add_option("--dead-letter-stream", common.dead_letter_stream, "where rejected events go")
      ->capture_default_str();
  app.add_option("--key-prefix", common.key_prefix, "prefix of every registry key in Redis")
      ->capture_default_str();
  app.add_option("--log-level", common.log_level, "trace, debug, info, warn, error")
      ->capture_default_str()
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  app.parse_complete_callback([&] { log::setup(common.log_level); });

  addServeCommands(app, common);
  addAdminCommands(app, common);
  addEmitCommand(app, common);
  addSinkCommand(app, common);
  addDemoCommand(app, common);
  addDlqCommand(app, common);
  addLoadtestCommand(app, common);

  CLI11_PARSE(app, argc, argv);
  return 0;
}
