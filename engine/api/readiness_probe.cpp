#include "engine/api/readiness_probe.hpp"

#include <algorithm>
#include <utility>

namespace hookline {
namespace {

RedisOptions probeOptions(RedisOptions options, std::chrono::milliseconds timeout) {
  options.connect_timeout = std::min(options.connect_timeout, timeout);
  options.command_timeout = std::min(options.command_timeout, timeout);
  return options;
}

}  // namespace

ReadinessProbe::ReadinessProbe(RedisOptions redis, Timing timing)
    : timing_(timing), link_(probeOptions(std::move(redis), timing.ping_timeout)) {
  ping();
  thread_ = std::thread([this] { run(); });
}

ReadinessProbe::~ReadinessProbe() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

bool ReadinessProbe::reachable() const {
  return Clock::now().time_since_epoch().count() < ok_until_.load(std::memory_order_acquire);
}

void ReadinessProbe::ping() {
  const auto sent = Clock::now();
  const bool ok = link_.commandOk({"PING"}).ok();
  const auto until = ok ? (sent + timing_.valid_for).time_since_epoch().count() : 0;
  ok_until_.store(until, std::memory_order_release);
}

void ReadinessProbe::run() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, timing_.interval, [this] { return stopping_; })) {
    lock.unlock();
    ping();
    lock.lock();
  }
}

}  // namespace hookline
