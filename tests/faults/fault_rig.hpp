#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/redis_link.hpp"
#include "tests/faults/delivery_ledger.hpp"
#include "tests/faults/steady_producer.hpp"
#include "tests/support/worker_process.hpp"
#include "tools/local_redis.hpp"
#include "tools/receiver_server.hpp"

namespace hookline::testing {

// One fault scenario's world on loopback: a private redis-server (AOF on when asked, so it
// can be killed and restarted), a receiver whose answers the scenario scripts, channels
// registered to it, and `hookline worker` processes of the binary under test that the
// scenario may kill. The ledger counts what the receiver accepted, by event id.
class FaultRig {
 public:
  struct Options {
    std::string scenario;
    bool append_only = false;
    std::size_t channels = 4;
    // How the receiver answers; null: 200 at once. Answers with a 2xx status count as
    // accepted unless they hang or reset.
    ReceiverServer::Handler behaviour;
    // Extra `hookline worker` options, after the rig's own short schedule and limits.
    std::vector<std::string> worker_options;
    // A command (absolute path first) the worker is started through, its own argv appended;
    // empty: started directly. B11 uses it to give the worker a resolver of its own.
    std::vector<std::string> launcher;
  };

  explicit FaultRig(Options options);
  ~FaultRig();

  LocalRedis& redis() { return *redis_; }
  RedisOptions redisOptions() const;
  ReceiverServer& receiver() { return *receiver_; }
  const std::vector<std::string>& channels() const { return channels_; }
  const std::string& stream() const { return stream_; }
  DeliveryLedger& ledger() { return *ledger_; }

  // Starts `hookline worker` with this consumer name.
  std::unique_ptr<WorkerProcess> startWorker(const std::string& consumer);
  // Starts `hookline serve` (API and worker in one process) with the API on `api_port`.
  std::unique_ptr<WorkerProcess> startServe(const std::string& consumer, int api_port);

  // A producer plan for this rig: `rate` events a second for `length`, over all channels.
  SteadyProducer::Options steadyLoad(const std::string& tag, std::chrono::seconds length,
                                     double rate) const;

  std::set<std::string> deadLetteredIds();
  long long pendingCount();
  // Waits until every sent event is accepted or dead-lettered and nothing is pending, then
  // prints and returns the summary.
  FaultSummary settle(const std::vector<std::string>& sent, std::chrono::milliseconds timeout);

 private:
  void registerChannels();
  std::unique_ptr<WorkerProcess> startHookline(const std::string& command,
                                               const std::string& consumer,
                                               const std::vector<std::string>& own_options);

  Options options_;
  std::filesystem::path folder_;
  std::unique_ptr<LocalRedis> redis_;
  std::shared_ptr<DeliveryLedger> ledger_ = std::make_shared<DeliveryLedger>();
  std::unique_ptr<ReceiverServer> receiver_;
  std::vector<std::string> channels_;
  std::string stream_ = "hookline:events";
};

// The checks every scenario ends with: each sent event accepted, none lost, dead-lettered or
// left pending (duplicates are allowed by at-least-once and checked where a scenario forbids
// them).
void expectEveryEventDelivered(const FaultSummary& summary);

// The scenario's length: `short_run` in CI, or HOOKLINE_SOAK_SECONDS when set (soak mode).
std::chrono::seconds scenarioLength(std::chrono::seconds short_run);
bool soakMode();

}  // namespace hookline::testing
