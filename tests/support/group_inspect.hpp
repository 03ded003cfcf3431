#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/redis_link.hpp"
#include "tests/support/engine_harness.hpp"
#include "tools/receiver_server.hpp"

namespace hookline::testing {

// Arguments for `hookline worker` on the harness's Redis, stream, group and key prefix, with
// plain http allowed; `extra` goes after the subcommand.
std::vector<std::string> workerArgs(const EngineHarness& harness, const std::string& consumer,
                                    const std::vector<std::string>& extra = {});

// How many POSTs each webhook-id got.
std::map<std::string, int> postsById(const ReceiverServer& receiver);

// Runs a command that must succeed; the reply as text for failure messages.
RedisReply mustRun(RedisLink& link, const std::vector<std::string>& args);

// Reads `count` new entries of `stream` as `consumer`, leaving them pending under it (a worker
// that read them and then died). Returns their ids.
std::vector<std::string> readAs(RedisLink& link, const std::string& stream,
                                const std::string& group, const std::string& consumer, int count);

// XINFO CONSUMERS: how many consumers the group has.
long long consumerCount(RedisLink& link, const std::string& stream, const std::string& group);
// INFO memory: used_memory in bytes.
long long usedMemory(RedisLink& link);
// ZCARD of the retry store's due set.
long long retryDueCount(EngineHarness& harness);

}  // namespace hookline::testing
