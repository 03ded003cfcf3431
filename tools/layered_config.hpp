#pragma once

#include <CLI/CLI.hpp>

#include <map>
#include <set>
#include <string>

namespace hookline {

// Every serve/worker/api option from three layers, later ones winning: the TOML file given by
// --config, the environment (HOOKLINE_<KEY>), the command line. A file key is the option's long
// name with '_' for '-' (retry_schedule = "5s,30s"), its environment variable the key upper-cased
// (HOOKLINE_RETRY_SCHEDULE); --redis is HOOKLINE_REDIS_URL, as before. Unknown keys and values
// that do not convert or pass the option's checks stop start-up with a message naming the key.
//
// CLI11 reads TOML itself, but applies its config file over the environment; this keeps the
// order DESIGN.md promises and names file keys in its errors.
// serve, worker and api apply it to all their options; status, account, channel, key, emit, sink
// and dlq to the common ones alone (applyCommonConfig in commands.hpp).
// TODO: demo and loadtest still take their common options from flags (and HOOKLINE_REDIS_URL)
// only; both start a private redis-server unless one is named.
class LayeredConfig {
 public:
  // Reads the file (none when `path` is empty). `known` holds every key a file may use, from
  // knownKeys(); anything else is refused. Throws CLI::ValidationError.
  LayeredConfig(const std::string& path, const std::set<std::string>& known);
  // The same, then apply(command).
  LayeredConfig(const std::string& path, const std::set<std::string>& known, CLI::App& command)
      : LayeredConfig(path, known) {
    apply(command);
  }

  // Gives each option of `command` and of its parents (the common options) that the command line
  // left unset its value from the environment or the file, and runs its checks. Throws
  // CLI::ValidationError naming the key and where it came from. Without `own_options`, only the
  // parents' (for commands such as status that use the common options alone).
  void apply(CLI::App& command, bool own_options = true);

  // Where a key's value came from: "command line", "HOOKLINE_X", "config file F" or "default".
  std::string sourceOf(const std::string& key) const;

  // A ValidationError raised later for option --name that was set here, reworded to say where
  // the value came from (start-up checks in runServe name the flag).
  std::string explain(const std::string& message) const;

 private:
  void applyOption(CLI::Option& option);

  std::string path_;
  std::map<std::string, std::vector<std::string>> file_values_;
  std::map<std::string, std::string> sources_;
};

// The option's file key (long name, '-' -> '_'), or "" for options no file may set.
std::string configKey(const CLI::Option& option);
std::string environmentName(const std::string& key);
// The keys of these commands' options and of the app's own.
std::set<std::string> knownKeys(const CLI::App& app, const std::vector<std::string>& commands);

// The effective configuration of `command` as a TOML file, secrets masked: --print-config.
std::string effectiveConfig(const CLI::App& command);

}  // namespace hookline
