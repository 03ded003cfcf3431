#pragma once

#include <memory>
#include <string>

#include "common/redis_link.hpp"
#include "tools/local_redis.hpp"

namespace hookline::testing {

// One real redis-server per test program, started on first use on a free loopback port.
// A missing or broken redis-server fails the calling test loudly; it never skips.
LocalRedis& sharedRedis();

// A connected link to the shared server.
RedisLink connectShared();

// A key prefix unique to the running test ("t:<Suite>.<Name>:<n>:"), so tests sharing one
// server never see each other's keys.
std::string uniquePrefix();

}  // namespace hookline::testing
