#include "tools/commands.hpp"

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

}  // namespace hookline
