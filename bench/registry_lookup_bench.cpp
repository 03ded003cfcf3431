#include <benchmark/benchmark.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "registry/registry_store.hpp"
#include "registry/webhook_cache.hpp"
#include "tools/local_redis.hpp"

namespace hookline {
namespace {

// A private redis-server with `channels` webhooks and a started cache over it, built once per
// size; the lookups themselves never touch Redis.
struct LoadedCache {
  std::unique_ptr<LocalRedis> redis;
  std::unique_ptr<WebhookCache> cache;
  std::vector<std::string> ids;
};

LoadedCache* loadedCache(std::size_t channels, std::string& error) {
  static std::vector<std::pair<std::size_t, std::unique_ptr<LoadedCache>>> built;
  for (auto& [size, cache] : built) {
    if (size == channels) {
      return cache.get();
    }
  }
  auto loaded = std::make_unique<LoadedCache>();
  auto redis = LocalRedis::start();
  if (!redis) {
    error = redis.error().message;
    return nullptr;
  }
  loaded->redis = std::move(redis).value();
  RedisOptions options;
  options.endpoint.port = loaded->redis->port();
  RedisLink link(options);
  RegistryStore store(link, "bench:");
  store.createAccount("bench");
  EventMask status_only;
  status_only.set(EventKind::MessageStatus, true);
  for (std::size_t i = 0; i < channels; ++i) {
    loaded->ids.push_back("ch_" + std::to_string(i));
    store.createChannel(loaded->ids.back(), "bench");
    WebhookConfig config;
    config.channel_id = loaded->ids.back();
    config.url = "https://hooks.example.test/" + loaded->ids.back();
    config.events = i % 2 == 0 ? EventMask::all() : status_only;
    store.putWebhook(config);
  }
  loaded->cache = std::make_unique<WebhookCache>(options, "bench:");
  if (auto status = loaded->cache->start(); !status) {
    error = status.error().message;
    return nullptr;
  }
  built.emplace_back(channels, std::move(loaded));
  return built.back().second.get();
}

// The per-event registry step of the engine: find the channel's webhook and test the kind
// against its event bitmask.
void BM_WebhookLookupWithMask(benchmark::State& state) {
  std::string error;
  LoadedCache* loaded = loadedCache(static_cast<std::size_t>(state.range(0)), error);
  if (loaded == nullptr) {
    state.SkipWithError(error.c_str());
    return;
  }
  std::size_t next = 0;
  std::size_t wanted = 0;
  for (auto _ : state) {
    const auto& id = loaded->ids[next];
    next = next + 1 == loaded->ids.size() ? 0 : next + 1;
    const auto config = loaded->cache->find(id);
    wanted += config && config->wants(EventKind::MessageIncoming) ? 1 : 0;
  }
  benchmark::DoNotOptimize(wanted);
}
BENCHMARK(BM_WebhookLookupWithMask)->Arg(1000)->Arg(10000);

void BM_EventMaskOnly(benchmark::State& state) {
  EventMask mask;
  mask.set(EventKind::MessageStatus, true);
  std::size_t wanted = 0;
  for (auto _ : state) {
    for (EventKind kind : kAllEventKinds) {
      wanted += mask.contains(kind) ? 1 : 0;
    }
    benchmark::DoNotOptimize(wanted);
  }
}
BENCHMARK(BM_EventMaskOnly);

}  // namespace
}  // namespace hookline
