#pragma once

#include <string>
#include <utility>

#include "common/redis_link.hpp"
#include "registry/registry_store.hpp"

namespace hookline {

// What one API worker thread owns for the handlers it runs: a Redis link of its own (a
// hiredis link is not thread-safe) and the registry over it. The link connects on its first
// command and reconnects by itself after a failure.
struct ApiWorkerContext {
  ApiWorkerContext(RedisOptions redis, std::string key_prefix)
      : link(std::move(redis)), store(link, std::move(key_prefix)) {}

  ApiWorkerContext(const ApiWorkerContext&) = delete;
  ApiWorkerContext& operator=(const ApiWorkerContext&) = delete;

  RedisLink link;
  RegistryStore store;
};

}  // namespace hookline
