#pragma once

#include <sys/types.h>

#include <cstdint>
#include <mutex>
#include <vector>

#include <time.h>

namespace hookline {

// CPU time (user + system) of this whole process so far, in microseconds.
std::int64_t processCpuMicros();
// The largest resident set this process has had, in KiB (getrusage ru_maxrss).
std::int64_t peakRssKib();
// CPU time of another process (e.g. a private redis-server) from /proc/PID/stat, in
// microseconds; -1 when it cannot be read.
std::int64_t otherProcessCpuMicros(pid_t pid);

// The CPU clocks of a set of threads, so their time can be told apart from the rest of the
// process (the load test subtracts its own receiver and producer threads). Threads add
// themselves; the total may only be read while every added thread is still running.
// Thread-safe. Meant for threads that end before the set does (a thread remembers the sets it
// joined by address).
class ThreadCpuClocks {
 public:
  // Adds the calling thread once; later calls from the same thread are cheap no-ops.
  void addCurrentThread();
  std::int64_t totalMicros() const;

 private:
  mutable std::mutex mutex_;
  std::vector<clockid_t> clocks_;
};

}  // namespace hookline
