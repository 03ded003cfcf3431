#include "tools/commands.hpp"

#include <cstdlib>

#include "common/log.hpp"
#include "tools/layered_config.hpp"

namespace hookline {

RedisOptions CommonOptions::redisOptions() const {
  auto endpoint = RedisEndpoint::parse(redis_url);
  if (!endpoint) {
    throw CLI::ValidationError("--redis", endpoint.error().message);
  }
  RedisOptions options;
  options.endpoint = std::move(endpoint).value();
  return options;
}

void addCommonOptions(CLI::App& app, CommonOptions& common) {
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
  app.add_option("--log-format", common.log_format, "text, or json for one JSON object per line")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json"}));
  app.add_option("--config", common.config_file,
                 "TOML file of every serve/worker/api option; the other commands take the common "
                 "options from it. The environment (HOOKLINE_<KEY>) and flags override it")
      ->check(CLI::ExistingFile);
  app.parse_complete_callback(
      [&] { log::setup(common.log_level, *log::parseFormat(common.log_format)); });
}

void applyCommonConfig(CLI::App& command, CommonOptions& common) {
  CLI::App* root = &command;
  while (root->get_parent() != nullptr) {
    root = root->get_parent();
  }
  LayeredConfig config(common.config_file, knownKeys(*root, {"serve", "worker", "api"}));
  config.apply(command, false);
  log::setup(common.log_level, *log::parseFormat(common.log_format));
}

Expected<std::unique_ptr<LocalRedis>> startRedisUnlessGiven(const CLI::App& root,
                                                            CommonOptions& common) {
  if (root.get_option("--redis")->count() != 0 || std::getenv("HOOKLINE_REDIS_URL") != nullptr) {
    return std::unique_ptr<LocalRedis>();
  }
  auto started = LocalRedis::start();
  if (!started) {
    return Error{started.error().message + " (install redis-server, or pass --redis URL)"};
  }
  common.redis_url = (*started)->url();
  return started;
}

}  // namespace hookline
