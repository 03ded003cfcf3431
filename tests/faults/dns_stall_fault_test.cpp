#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "registry/registry_store.hpp"
#include "tests/faults/fault_rig.hpp"
#include "tests/faults/steady_producer.hpp"
#include "tests/support/stream_inspect.hpp"
#include "tests/support/wait.hpp"

namespace hookline::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// A DNS server on 127.0.0.1:53 (UDP) that reads every query and never answers. Counts the
// queries that ask for stall.test, so the test knows the lookups really came here.
class SilentDnsStub {
 public:
  SilentDnsStub() {
    fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(53);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
      throw std::runtime_error(
          "cannot bind the DNS stub to 127.0.0.1:53 (needs root and a free "
          "port 53 on loopback)");
    }
    thread_ = std::thread([this] { run(); });
  }
  ~SilentDnsStub() {
    stop_.store(true);
    thread_.join();
    ::close(fd_);
  }
  std::size_t stallQueries() const { return stall_queries_.load(); }

 private:
  void run() {
    const std::string name("\x05stall\x04test", 11);
    char packet[1500];
    while (!stop_.load()) {
      pollfd watch{.fd = fd_, .events = POLLIN, .revents = 0};
      if (::poll(&watch, 1, 50) <= 0) {
        continue;
      }
      const ssize_t n = ::recv(fd_, packet, sizeof(packet), 0);
      if (n > 0 &&
          std::string(packet, static_cast<std::size_t>(n)).find(name) != std::string::npos) {
        stall_queries_++;
      }
    }
  }

  int fd_ = -1;
  std::atomic<bool> stop_{false};
  std::atomic<std::size_t> stall_queries_{0};
  std::thread thread_;
};

// Writes the worker's private resolver setup: a resolv.conf naming the stub, and a launcher
// that runs inside a new mount namespace (unshare --mount), bind-mounts that file over
// /etc/resolv.conf there, and execs the worker. The network stays shared, so the worker still
// reaches the test's redis-server and receiver on loopback; only its resolver differs.
std::vector<std::string> privateResolverLauncher(const std::filesystem::path& folder) {
  std::filesystem::create_directories(folder);
  const auto resolv = folder / "resolv.conf";
  std::ofstream(resolv) << "nameserver 127.0.0.1\noptions timeout:30 attempts:1\n";
  const auto script = folder / "with_resolver.sh";
  std::ofstream(script) << "#!/bin/sh\n"
                           "mount --bind \"$1\" /etc/resolv.conf || exit 97\n"
                           "shift\n"
                           "exec \"$@\"\n";
  return {"/usr/bin/unshare", "--mount",       "--propagation", "private",
          "/bin/sh",          script.string(), resolv.string()};
}

// B11: ch_t1's host (stall.test) is asked of a DNS server that never answers; ch_t2 goes to
// the receiver by address. With libcurl's asynchronous resolver the stalled lookups hold back
// nothing: every ch_t2 event is delivered on its first attempt while ch_t1's attempts fail at
// the connect limit (1 s here, lookup included; 5 s in the field case) and are retried, never
// dead-lettered; no SIGALRM takes the process down (CURLOPT_NOSIGNAL, no alarm-based timeout);
// and SIGTERM still ends it with 0 in bounded time though lookups are still stuck.
TEST(DnsStallFaultTest, B11_ALookupThatNeverAnswersHoldsBackNoOtherChannel) {
  SilentDnsStub stub;
  const auto folder =
      std::filesystem::temp_directory_path() / ("hookline-b11-" + std::to_string(::getpid()));
  FaultRig rig(FaultRig::Options{.scenario = "dns_stall",
                                 .channels = 2,
                                 .worker_options = {"--shutdown-deadline-ms", "2000"},
                                 .launcher = privateResolverLauncher(folder)});
  const std::string stalled = rig.channels()[0];
  const std::string healthy = rig.channels()[1];
  {
    RedisLink link(rig.redisOptions());
    RegistryStore store(link, "hookline:");
    WebhookConfig config;
    config.channel_id = stalled;
    config.url = "http://stall.test:" + std::to_string(rig.receiver().port()) + "/b11";
    config.events = EventMask::all();
    ASSERT_TRUE(store.putWebhook(config).ok());
  }
  auto worker = rig.startWorker("w1");

  // One event a second per channel, in turn.
  const auto length = scenarioLength(6s);
  SteadyProducer producer(
      SteadyProducer::Options{.redis = rig.redisOptions(),
                              .stream = rig.stream(),
                              .channels = {stalled, healthy},
                              .tag = "b11",
                              .count = static_cast<std::size_t>(2 * length.count()),
                              .rate = 2,
                              .deadline = length + 30s});
  producer.start();
  ASSERT_TRUE(producer.waitDone());
  const std::size_t healthy_sent = producer.sentCount() / 2;
  RedisLink link(rig.redisOptions());
  auto records = [&](const std::string& channel) {
    std::vector<json> parsed;
    for (const auto& text : attemptRecords(link, "hookline:", channel)) {
      parsed.push_back(json::parse(text));
    }
    return parsed;
  };
  ASSERT_TRUE(waitUntil([&] { return records(healthy).size() == healthy_sent; }, 20s))
      << worker->logTail();
  for (const auto& record : records(healthy)) {
    EXPECT_EQ(record["outcome"], "delivered") << record.dump();
    EXPECT_EQ(record["attempt"], 1) << record.dump();
  }

  EXPECT_GT(stub.stallQueries(), 0u) << "the lookups never reached the stub";
  const auto stalled_records = records(stalled);
  EXPECT_FALSE(stalled_records.empty());
  for (const auto& record : stalled_records) {
    // Failed attempts are retries; once the endpoint's circuit opens, events wait in the retry
    // schedule without an attempt. Neither is a dead letter.
    EXPECT_TRUE(record["outcome"] == "retry" || record["outcome"] == "circuit_open")
        << record.dump();
  }
  EXPECT_TRUE(rig.deadLetteredIds().empty());
  ASSERT_TRUE(worker->running()) << worker->logTail();

  worker->kill(SIGTERM);
  const int code = worker->waitForExit(15s);
  ASSERT_NE(code, -1) << "stop hung behind the stalled lookups\n" << worker->logTail();
  EXPECT_EQ(code, 0) << worker->logTail();
  std::filesystem::remove_all(folder);
}

}  // namespace
}  // namespace hookline::testing
