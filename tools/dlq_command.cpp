#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <memory>

#include "tools/commands.hpp"
#include "tools/dead_letters.hpp"

namespace hookline {
namespace {

struct DlqOptions {
  DeadLetterFilter filter;
  bool json = false;
  bool all = false;
};

void printEntries(const std::vector<DeadLetterEntry>& entries, bool json) {
  if (json) {
    for (const auto& entry : entries) {
      nlohmann::json line = {{"id", entry.id}};
      for (const auto& [name, value] : entry.fields) {
        line[name] = value;
      }
      std::cout << line.dump() << "\n";
    }
    return;
  }
  std::printf("%-17s %-22s %-16s %-26s %-8s %s\n", "ID", "REASON", "CHANNEL", "EVENT", "ATTEMPTS",
              "DETAIL");
  for (const auto& entry : entries) {
    std::printf("%-17s %-22s %-16s %-26s %-8s %s%s%s\n", entry.id.c_str(),
                entry.field("dead_reason").c_str(), entry.field("channel_id").c_str(),
                entry.field("event_id").c_str(), entry.field("dead_attempts").c_str(),
                entry.field("dead_field").c_str(), entry.field("dead_field").empty() ? "" : ": ",
                entry.field("dead_detail").c_str());
  }
  std::printf("%zu dead letter%s\n", entries.size(), entries.size() == 1 ? "" : "s");
}

void runList(const CommonOptions& common, const DlqOptions& options) {
  RedisLink link(common.redisOptions());
  auto entries = listDeadLetters(link, common.dead_letter_stream, options.filter);
  if (!entries) {
    std::cerr << "hookline dlq list: " << entries.error().message << "\n";
    throw CLI::RuntimeError(1);
  }
  printEntries(*entries, options.json);
}

void runReplay(const CommonOptions& common, const DlqOptions& options) {
  if (options.filter.ids.empty() && options.filter.channel.empty() &&
      options.filter.reason.empty() && !options.all) {
    std::cerr << "hookline dlq replay: name entry ids, a --channel or --reason filter, or --all\n";
    throw CLI::RuntimeError(2);
  }
  RedisLink link(common.redisOptions());
  auto entries = listDeadLetters(link, common.dead_letter_stream, options.filter);
  if (!entries) {
    std::cerr << "hookline dlq replay: " << entries.error().message << "\n";
    throw CLI::RuntimeError(1);
  }
  std::size_t replayed = 0;
  for (const auto& entry : *entries) {
    auto added = replayDeadLetter(link, common.dead_letter_stream, entry, common.stream);
    if (!added) {
      std::cerr << "hookline dlq replay: " << added.error().message << "\n";
      throw CLI::RuntimeError(1);
    }
    ++replayed;
    std::cerr << "replayed " << entry.id << " as " << *added << "\n";
  }
  std::cerr << replayed << " dead letters replayed\n";
  const auto missing = missingIds(options.filter.ids, *entries);
  for (const auto& id : missing) {
    std::cerr << "hookline dlq replay: no dead letter with id " << id << " in "
              << common.dead_letter_stream << "\n";
  }
  if (!missing.empty()) {
    throw CLI::RuntimeError(1);
  }
}

}  // namespace

void addDlqCommand(CLI::App& app, CommonOptions& common) {
  CLI::App* dlq = app.add_subcommand("dlq", "inspect and re-drive dead letters");
  dlq->require_subcommand(1);

  auto list_options = std::make_shared<DlqOptions>();
  CLI::App* list = dlq->add_subcommand("list", "show dead letters, oldest first");
  list->add_option("--channel", list_options->filter.channel, "only this channel");
  list->add_option("--reason", list_options->filter.reason,
                   "only this dead_reason (e.g. 'rejected by receiver')");
  list->add_option("--limit", list_options->filter.limit, "at most this many")
      ->capture_default_str();
  list->add_flag("--json", list_options->json, "one JSON object per line");
  list->callback([&common, list, list_options] {
    applyCommonConfig(*list, common);
    runList(common, *list_options);
  });

  auto replay_options = std::make_shared<DlqOptions>();
  CLI::App* replay = dlq->add_subcommand(
      "replay", "append dead letters back to their stream (same event id), then remove them");
  replay->add_option("ids", replay_options->filter.ids, "dead-letter entry ids");
  replay->add_option("--channel", replay_options->filter.channel, "all of this channel");
  replay->add_option("--reason", replay_options->filter.reason, "all with this dead_reason");
  replay->add_flag("--all", replay_options->all, "every dead letter");
  replay->callback([&common, replay, replay_options] {
    applyCommonConfig(*replay, common);
    runReplay(common, *replay_options);
  });
}

}  // namespace hookline
