#include "tests/support/test_redis.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>

namespace hookline::testing {

LocalRedis& sharedRedis() {
  static std::unique_ptr<LocalRedis> redis = [] {
    auto started = LocalRedis::start();
    if (!started) {
      throw std::runtime_error("cannot start redis-server for the tests: " +
                               started.error().message);
    }
    return std::move(started).value();
  }();
  return *redis;
}

RedisLink connectShared() {
  RedisOptions options;
  options.endpoint.port = sharedRedis().port();
  RedisLink link(options);
  if (auto status = link.connect(); !status) {
    throw std::runtime_error(status.error().message);
  }
  return link;
}

std::string uniquePrefix() {
  static std::atomic<int> counter{0};
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = info ? std::string(info->test_suite_name()) + "." + info->name() : "none";
  return "t:" + name + ":" + std::to_string(counter++) + ":";
}

}  // namespace hookline::testing
