#include <iomanip>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "engine/event.hpp"
#include "tools/commands.hpp"
#include "tools/event_producer.hpp"
#include "tools/progress_line.hpp"

namespace hookline {
namespace {

struct EmitOptions {
  std::vector<std::string> channels;
  std::string type;
  std::string payload;
  std::size_t count = 1;
  double rate = 0;
  bool quiet = false;
};

void runEmit(const CommonOptions& common, const EmitOptions& options) {
  EmitPlan plan;
  plan.channels = options.channels;
  plan.count = options.count;
  plan.rate = options.rate;
  if (!options.type.empty() && options.type != "mix") {
    auto kind = parseEventKind(options.type);
    if (!kind) {
      std::cerr << "hookline emit: unknown --type '" << options.type
                << "' (message_incoming, message_outgoing, message_status, template_update, "
                   "channel_update or mix)\n";
      throw CLI::RuntimeError(2);
    }
    plan.kind = kind;
  }
  if (!options.payload.empty()) {
    // Refuse here what the engine would only dead-letter later.
    const auto first = options.payload.find_first_not_of(" \t\r\n");
    if (first == std::string::npos || options.payload[first] != '{' ||
        !nlohmann::json::accept(options.payload)) {
      std::cerr << "hookline emit: --payload must be a JSON object\n";
      throw CLI::RuntimeError(2);
    }
    plan.payload = options.payload;
  }
  for (const auto& channel : options.channels) {
    if (!isIdentifier(channel, 128, true)) {
      std::cerr << "hookline emit: --channel '" << channel
                << "' must be 1 to 128 letters, digits, '_', '-' or '.'\n";
      throw CLI::RuntimeError(2);
    }
  }

  RedisLink link(common.redisOptions());
  ProgressLine progress(stderr, options.count, ProgressLine::enabledFor(stderr, options.quiet));
  auto written = emitEvents(link, common.stream, plan, nullptr,
                            [&](std::size_t done) { progress.update(done); });
  progress.finish(written ? *written : 0);
  if (!written) {
    std::cerr << "hookline emit: " << written.error().message << "\n";
    throw CLI::RuntimeError(1);
  }
  const double seconds = progress.elapsedSeconds();
  std::cerr << "emitted " << *written << " events to " << common.stream << " in " << std::fixed
            << std::setprecision(1) << seconds << " s (" << std::setprecision(0)
            << (seconds > 0 ? static_cast<double>(*written) / seconds : 0) << "/s)\n";
}

}  // namespace

void addEmitCommand(CLI::App& app, CommonOptions& common) {
  auto options = std::make_shared<EmitOptions>();
  CLI::App* command =
      app.add_subcommand("emit", "append events to the stream, as a producer would");
  command->add_option("--channel", options->channels, "channel id (repeat to spread events)")
      ->required();
  command->add_option("--type", options->type,
                      "event kind, or 'mix' for all five in turn (default: mix)");
  command->add_option("--payload", options->payload,
                      "JSON object to send (default: realistic built-in samples)");
  command->add_option("--count", options->count, "how many events")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{100'000'000}));
  command
      ->add_option("--rate", options->rate,
                   "events per second; 0 or absent: as fast as Redis takes them")
      ->check(CLI::Range(0.0, 10'000'000.0));
  command->add_flag("--quiet", options->quiet,
                    "no progress line on a terminal (the summary line is always printed)");
  command->callback([&common, command, options] {
    applyCommonConfig(*command, common);
    runEmit(common, *options);
  });
}

}  // namespace hookline
