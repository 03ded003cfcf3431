#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/redis_link.hpp"

namespace hookline::testing {

// Appends events to the stream from its own thread at a steady rate, as a producer service
// would, each with an explicit event_id "<tag>_<n>" and a realistic sample payload, spread
// over the channels in turn. Entry ids are the producer's own ("<start ms>-<n>"), so an XADD
// that failed with the link (Redis down) can be tried again until it succeeds without ever
// adding the event twice; only acknowledged ones count as sent.
class SteadyProducer {
 public:
  struct Options {
    RedisOptions redis;
    std::string stream;
    std::vector<std::string> channels;
    std::string tag = "fault";
    std::size_t count = 100;                    // at most this many events
    double rate = 50;                           // events per second
    std::chrono::milliseconds deadline{60000};  // gives up after this, sent or not
  };

  explicit SteadyProducer(Options options);
  ~SteadyProducer();  // stops and joins

  void start();
  // Waits until every event is sent or the deadline passed; true when all were sent.
  bool waitDone();
  void stop();

  std::vector<std::string> sent() const;  // event ids, in order
  std::size_t sentCount() const;

 private:
  void run();

  Options options_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<std::string> sent_;
  std::thread thread_;
};

}  // namespace hookline::testing
