#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "common/expected.hpp"
#include "common/redis_link.hpp"

namespace hookline {

// The names of one load test run; a unique prefix keeps a shared Redis's other data apart.
struct RunKeys {
  std::string prefix;
  std::string stream;
  std::string dead;
};

// Fresh names under `base_prefix`: "<base>loadtest:<pid>-<epoch ms>:".
RunKeys runKeys(const std::string& base_prefix);

// An account and `count` channels ("lt_0", "lt_1", ...) whose webhooks all point at `url`
// and want every kind; returns the channel ids.
Expected<std::vector<std::string>> registerChannels(RedisLink& link, const RunKeys& keys,
                                                    std::size_t count, const std::string& url);

// Removes the run's keys from a Redis that was not started here; bounded passes of SCAN.
void removeRunKeys(RedisLink& link, const RunKeys& keys);

}  // namespace hookline
