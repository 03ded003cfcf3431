#include "tools/process_usage.hpp"

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

namespace hookline {
namespace {

std::int64_t micros(const timeval& time) {
  return static_cast<std::int64_t>(time.tv_sec) * 1'000'000 + time.tv_usec;
}

}  // namespace

std::int64_t processCpuMicros() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return micros(usage.ru_utime) + micros(usage.ru_stime);
}

std::int64_t peakRssKib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

std::int64_t otherProcessCpuMicros(pid_t pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!file || !std::getline(file, text)) {
    return -1;
  }
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  const auto close = text.rfind(')');
  if (close == std::string::npos) {
    return -1;
  }
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  long long utime = -1;
  long long stime = -1;
  for (int index = 3; fields >> field; ++index) {
    if (index == 14) {
      utime = std::stoll(field);
    } else if (index == 15) {
      stime = std::stoll(field);
      break;
    }
  }
  const long ticks = sysconf(_SC_CLK_TCK);
  if (utime < 0 || stime < 0 || ticks <= 0) {
    return -1;
  }
  return (utime + stime) * 1'000'000 / ticks;
}

void ThreadCpuClocks::addCurrentThread() {
  // One flag per thread and set: the receiver calls this for every request.
  thread_local std::vector<const void*> joined;
  if (std::find(joined.begin(), joined.end(), this) != joined.end()) {
    return;
  }
  joined.push_back(this);
  clockid_t clock{};
  if (pthread_getcpuclockid(pthread_self(), &clock) != 0) {
    return;
  }
  std::lock_guard lock(mutex_);
  clocks_.push_back(clock);
}

std::int64_t ThreadCpuClocks::totalMicros() const {
  std::lock_guard lock(mutex_);
  std::int64_t total = 0;
  for (clockid_t clock : clocks_) {
    timespec time{};
    if (clock_gettime(clock, &time) == 0) {
      total += static_cast<std::int64_t>(time.tv_sec) * 1'000'000 + time.tv_nsec / 1000;
    }
  }
  return total;
}

}  // namespace hookline
