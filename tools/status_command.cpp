#include <unistd.h>

#include <chrono>
#include <iostream>
#include <memory>

#include "tools/commands.hpp"
#include "tools/status_report.hpp"

namespace hookline {
namespace {

struct StatusOptions {
  std::vector<std::string> channels;
  bool json = false;
  bool table = false;
};

void runStatus(CommonOptions& common, const StatusOptions& options, CLI::App& command) {
  applyCommonConfig(command, common);
  StatusRequest request{.names = {.stream = common.stream,
                                  .group = common.group,
                                  .dead_letter_stream = common.dead_letter_stream,
                                  .key_prefix = common.key_prefix},
                        .channels = options.channels,
                        .now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count()};
  RedisLink link(common.redisOptions());
  auto report = readStatus(link, request);
  if (!report) {
    std::cerr << "hookline status: " << report.error().message << "\n";
    throw CLI::RuntimeError(1);
  }
  // A person at a terminal gets the table; scripts and pipes get JSON.
  const bool table = options.table || (!options.json && ::isatty(STDOUT_FILENO) == 1);
  if (table) {
    std::cout << statusTable(*report);
  } else {
    std::cout << statusJson(*report).dump(2) << "\n";
  }
}

}  // namespace

void addStatusCommand(CLI::App& app, CommonOptions& common) {
  auto options = std::make_shared<StatusOptions>();
  CLI::App* command = app.add_subcommand(
      "status",
      "stream length, lag, pending per consumer, retries waiting, dead letters, circuits");
  command->add_option("--channel", options->channels, "details for this channel (repeatable)");
  auto* json = command->add_flag("--json", options->json, "JSON (the default when not a terminal)");
  command->add_flag("--table", options->table, "a table (the default on a terminal)")
      ->excludes(json);
  command->callback([&common, options, command] { runStatus(common, *options, *command); });
}

}  // namespace hookline
