#pragma once

#include <string>
#include <vector>

#include "common/redis_link.hpp"
#include "engine/event.hpp"

namespace hookline::testing {

// Appends one entry with the given fields; returns its id.
std::string xadd(RedisLink& link, const std::string& stream, const StreamFields& fields);

// Every entry of a stream, oldest first (fields only).
std::vector<StreamFields> readStream(RedisLink& link, const std::string& stream);

// The value of a field, or "" when absent.
std::string fieldOf(const StreamFields& fields, const std::string& name);

// The attempt records of a channel, newest first, as JSON texts.
std::vector<std::string> attemptRecords(RedisLink& link, const std::string& prefix,
                                        const std::string& channel);

}  // namespace hookline::testing
