#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

#include "common/redis_link.hpp"
#include "tools/local_redis.hpp"

namespace hookline {

// Options every subcommand shares (DESIGN.md section 7).
struct CommonOptions {
  std::string redis_url = "redis://127.0.0.1:6379";  // env HOOKLINE_REDIS_URL
  std::string stream = "hookline:events";
  std::string group = "hookline";
  std::string dead_letter_stream = "hookline:dead";
  std::string key_prefix = "hookline:";  // prefix of every registry key
  std::string log_level = "info";
  std::string log_format = "text";  // text or json (JSON lines)
  std::string config_file;          // --config: the deployment's TOML file (layered_config.hpp)

  // The parsed --redis URL with default timeouts; throws CLI::ValidationError when malformed.
  RedisOptions redisOptions() const;
};

// --redis, --stream, --group, --dead-letter-stream, --key-prefix, --log-level, --log-format and
// --config on the app, and the logger set up once they are parsed.
void addCommonOptions(CLI::App& app, CommonOptions& common);

// For commands that use the common options alone (status, account, channel, key, emit, sink,
// dlq): --config and HOOKLINE_<KEY> fill the common options the command line left unset, as for
// serve, and the logger follows the result. The file is the deployment's, so keys of serve,
// worker and api are allowed there and ignored. Call it first in the command's callback; throws
// CLI::ValidationError naming the key and where its value came from.
void applyCommonConfig(CLI::App& command, CommonOptions& common);

// For the demo and the load test: when no Redis was given (neither --redis on `root` nor
// HOOKLINE_REDIS_URL), starts a private redis-server and points common.redis_url at it;
// otherwise returns null. The Error says why the server could not start.
Expected<std::unique_ptr<LocalRedis>> startRedisUnlessGiven(const CLI::App& root,
                                                            CommonOptions& common);

// The whole command line as main() runs it: the common options and every subcommand. The tests
// walk this tree (tests/tools/man_page_test.cpp keeps docs/hookline.1 in step with it).
void addHooklineCli(CLI::App& app, CommonOptions& common);

// Each adds its subcommands to the app. A subcommand that fails throws CLI::RuntimeError with
// its exit code after printing the reason to stderr.
void addServeCommands(CLI::App& app, CommonOptions& common);  // serve, worker, api
void addAdminCommands(CLI::App& app, CommonOptions& common);  // account, channel, key
void addEmitCommand(CLI::App& app, CommonOptions& common);
void addSinkCommand(CLI::App& app, CommonOptions& common);
void addDemoCommand(CLI::App& app, CommonOptions& common);
void addDlqCommand(CLI::App& app, CommonOptions& common);  // dlq list, dlq replay
void addStatusCommand(CLI::App& app, CommonOptions& common);
void addLoadtestCommand(CLI::App& app, CommonOptions& common);

}  // namespace hookline
