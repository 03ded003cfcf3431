#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "engine/engine.hpp"
#include "engine/envelope.hpp"
#include "engine/time_format.hpp"
#include "registry/registry_store.hpp"
#include "registry/webhook_cache.hpp"
#include "tools/commands.hpp"
#include "tools/event_producer.hpp"
#include "tools/http_reference.hpp"
#include "tools/latency_recorder.hpp"
#include "tools/loadtest_payloads.hpp"
#include "tools/loadtest_report.hpp"
#include "tools/loadtest_retries.hpp"
#include "tools/loadtest_run_keys.hpp"
#include "tools/local_redis.hpp"
#include "tools/process_usage.hpp"
#include "tools/progress_line.hpp"
#include "tools/receiver_server.hpp"

namespace hookline {
namespace {

using Clock = std::chrono::steady_clock;

struct LoadtestOptions {
  std::size_t events = 10'000;
  std::size_t channels = 16;
  int dispatch_threads = 1;
  int connections = 64;  // in total, spread over the dispatch threads
  double rate = 0;       // 0: fill the stream first, then start the engine
  std::size_t payload_bytes = 0;
  std::string target;  // empty: the in-process sink
  int sink_threads = 1;
  std::string reference = "auto";
  int reference_seconds = 5;
  double time_limit_s = 300;
  std::size_t waiting_retries = 0;   // retries put in the store, due after the run
  std::size_t max_in_flight = 4096;  // the engine's cap on entries read but not yet settled
  bool json = false;
  bool no_progress = false;
  std::string csv_path;
  std::string plot_path;
};

[[noreturn]] void fail(const std::string& message) {
  std::cerr << "hookline loadtest: " << message << "\n";
  throw CLI::RuntimeError(1);
}

// A typical delivery body, for the reference load.
std::string sampleEnvelope(const std::pair<EventKind, std::string>& payload) {
  Event event;
  event.event_id = "evt_loadtest_reference_0000000001";
  event.kind = payload.first;
  event.channel_id = "lt_0";
  event.payload = payload.second;
  event.occurred_at_ms = 1'796'401'821'123;
  return buildEnvelope(event);
}

void runReference(const LoadtestOptions& options, const std::string& url, const std::string& body,
                  LoadtestResult& result) {
  ReferencePlan plan;
  plan.url = url;
  plan.body = body;
  plan.threads = options.dispatch_threads;
  plan.connections = options.connections;
  plan.duration = std::chrono::seconds(options.reference_seconds);
  const bool use_wrk =
      options.reference == "wrk" || (options.reference == "auto" && wrkAvailable());
  auto reference = use_wrk ? runWrkReference(plan) : runBuiltinReference(plan);
  if (reference) {
    result.reference = *reference;
  } else {
    result.reference_error = reference.error().message;
  }
}

void runLoadtest(const CLI::App& root, CommonOptions common, const LoadtestOptions& options) {
  const bool progress = !options.json && !options.no_progress && isatty(STDERR_FILENO);
  if (!options.target.empty()) {
    if (auto target = parseLoopbackUrl(options.target); !target) {
      fail("--target: " + target.error().message + " (the load test stays on loopback)");
    }
  }
  auto redis_choice = startRedisUnlessGiven(root, common);
  if (!redis_choice) {
    fail(redis_choice.error().message);
  }
  const std::unique_ptr<LocalRedis> local_redis = std::move(redis_choice).value();
  const RedisOptions redis = common.redisOptions();
  const RunKeys keys = runKeys(common.key_prefix);

  // The receiver: the given one, or the in-process sink measuring latency.
  LatencyRecorder latencies(options.events);
  ThreadCpuClocks excluded;  // the sink's threads: not hookline's CPU
  std::unique_ptr<ReceiverServer> sink;
  std::string url = options.target;
  if (url.empty()) {
    ReceiverServer::Options sink_options;
    sink_options.threads = options.sink_threads;
    sink_options.max_kept_requests = 0;
    sink = std::make_unique<ReceiverServer>(
        sink_options, [&latencies, &excluded](const ReceivedRequest& request) {
          excluded.addCurrentThread();
          latencies.record(request.body, request.received_at);
          ReceiverReply reply;
          reply.status = 204;
          return reply;
        });
    sink->start();
    url = sink->url("hooks");
  }
  const auto loopback = parseLoopbackUrl(url);
  if (!loopback) {
    fail("--target: " + loopback.error().message + " (the load test stays on loopback)");
  }
  const auto allowed = CidrRange::parse(loopback->host + "/32");

  RedisLink link(redis);
  if (auto status = link.connect(); !status) {
    fail(status.error().message);
  }
  auto registered = registerChannels(link, keys, options.channels, url);
  if (!registered) {
    fail(registered.error().message);
  }
  const std::vector<std::string> channels = std::move(registered).value();
  const auto payloads = loadtestPayloads(options.payload_bytes);
  EmitPlan plan;
  plan.channels = channels;
  plan.events = payloads;
  plan.count = options.events;
  plan.rate = options.rate;

  LoadtestResult result;
  result.events = options.events;
  result.channels = options.channels;
  result.dispatch_threads = options.dispatch_threads;
  result.connections = options.connections;
  result.rate = options.rate;
  result.receiver = options.target.empty() ? "sink" : options.target;
  result.cores = static_cast<int>(std::thread::hardware_concurrency());
  double payload_total = 0;
  for (const auto& [_, payload] : payloads) {
    payload_total += static_cast<double>(payload.size());
  }
  result.payload_bytes = payload_total / static_cast<double>(payloads.size());

  if (options.rate == 0) {
    if (progress) {
      std::fprintf(stderr, "filling the stream with %zu events\n", options.events);
    }
    auto written = emitEvents(link, keys.stream, plan);
    if (!written) {
      fail(written.error().message);
    }
  }

  if (options.waiting_retries > 0) {
    if (progress) {
      std::fprintf(stderr, "filling the retry store with %zu waiting retries\n",
                   options.waiting_retries);
    }
    const std::int64_t a_day_later = nowEpochMillis() + 24LL * 3600 * 1000;
    if (auto status = fillWaitingRetries(link, keys.prefix, channels.front(),
                                         options.waiting_retries, a_day_later);
        !status) {
      fail(status.error().message);
    }
  }
  result.waiting_retries = options.waiting_retries;
  result.max_in_flight = options.max_in_flight;

  WebhookCache webhooks(redis, keys.prefix);
  if (auto status = webhooks.start(); !status) {
    fail(status.error().message);
  }
  EngineOptions engine_options;
  engine_options.redis = redis;
  engine_options.stream = keys.stream;
  engine_options.group = common.group;
  engine_options.dead_letter_stream = keys.dead;
  engine_options.consumer = "loadtest";
  engine_options.key_prefix = keys.prefix;
  engine_options.dispatch_threads = options.dispatch_threads;
  engine_options.max_in_flight = options.max_in_flight;
  engine_options.attempt.allow_http = true;
  engine_options.attempt.max_per_endpoint = static_cast<std::size_t>(
      (options.connections + options.dispatch_threads - 1) / options.dispatch_threads);
  engine_options.http.allow_networks = {*allowed};
  Engine engine(engine_options, webhooks);

  // Measured from here: the engine's start to its last outcome.
  const std::int64_t cpu_before = processCpuMicros();
  const std::int64_t excluded_before = excluded.totalMicros();
  const std::int64_t redis_before =
      local_redis ? otherProcessCpuMicros(local_redis->pid()) : std::int64_t{-1};
  const auto started = Clock::now();
  ProgressLine bar(stderr, options.events, progress);
  std::thread engine_thread([&] { engine.run(); });

  std::atomic<bool> stop_producer{false};
  std::atomic<std::size_t> produced{options.rate == 0 ? options.events : 0};
  std::atomic<std::int64_t> producer_cpu{0};
  std::thread producer;
  if (options.rate > 0) {
    producer = std::thread([&] {
      RedisLink producer_link(redis);
      auto written = emitEvents(producer_link, keys.stream, plan, &stop_producer,
                                [&](std::size_t total) { produced.store(total); });
      if (!written) {
        spdlog::error("loadtest producer stopped error={}", written.error().message);
      }
      // Its own CPU, read before it ends (a thread's clock is gone once it has ended).
      timespec used{};
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &used);
      producer_cpu.store(static_cast<std::int64_t>(used.tv_sec) * 1'000'000 + used.tv_nsec / 1000);
    });
  }

  // Wait for every outcome, bounded by the time limit; sample the throughput each second.
  const auto& stats = engine.stats();
  auto outcomes = [&] {
    return static_cast<std::size_t>(stats.delivered.load() + stats.dead_lettered.load() +
                                    stats.filtered.load());
  };
  const auto deadline = started + std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::duration<double>(options.time_limit_s));
  auto next_second = started + std::chrono::seconds(1);
  std::uint64_t counted = 0;
  while (outcomes() < options.events && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    const auto now = Clock::now();
    if (now >= next_second) {
      const std::uint64_t delivered = stats.delivered.load();
      result.per_second.push_back(delivered - counted);
      counted = delivered;
      next_second += std::chrono::seconds(1);
    }
    bar.update(outcomes());
    result.peak_in_flight = std::max(result.peak_in_flight, engine.inFlight());
  }
  const auto finished = Clock::now();
  std::int64_t cpu_used =
      processCpuMicros() - cpu_before - (excluded.totalMicros() - excluded_before);
  const std::int64_t redis_used =
      local_redis ? otherProcessCpuMicros(local_redis->pid()) - redis_before : std::int64_t{-1};
  result.per_second.push_back(stats.delivered.load() - counted);  // the last, partial second
  bar.finish(outcomes());
  if (outcomes() < options.events) {
    spdlog::warn("loadtest time limit reached outcomes={} events={}", outcomes(), options.events);
  }

  stop_producer.store(true);
  if (producer.joinable()) {
    producer.join();
    // It produced while being measured (rarely it is still producing when the time ran out,
    // and then a little more of it is subtracted than was measured).
    cpu_used -= producer_cpu.load();
  }
  engine.requestStop();
  engine_thread.join();
  webhooks.stop();

  result.sent = produced.load();
  result.delivered = stats.delivered.load();
  result.failed_attempts = stats.attempts_failed.load();
  result.dead_lettered = stats.dead_lettered.load();
  result.seconds = std::chrono::duration<double>(finished - started).count();
  result.deliveries_per_s = static_cast<double>(result.delivered) / result.seconds;
  const double per_event = static_cast<double>(std::max<std::uint64_t>(1, result.delivered));
  result.cpu_us_per_event = static_cast<double>(cpu_used) / per_event;
  result.cpu_measured = options.rate > 0 ? "process CPU minus the sink's and producer's threads"
                                         : "process CPU minus the sink's threads";
  if (!options.target.empty()) {
    result.cpu_measured = options.rate > 0 ? "process CPU minus the producer's thread"
                                           : "process CPU (the receiver is another process)";
  }
  if (redis_used >= 0) {
    result.redis_cpu_us_per_event = static_cast<double>(redis_used) / per_event;
  }
  result.peak_rss_mib = static_cast<double>(peakRssKib()) / 1024.0;
  if (sink) {
    result.received = sink->count();
    result.latency = latencies.summary();
  }

  if (options.reference != "none") {
    if (progress) {
      std::fprintf(stderr, "reference load for %d s\n", options.reference_seconds);
    }
    runReference(options, url, sampleEnvelope(payloads.front()), result);
  }
  if (sink) {
    sink->stop();
  }
  if (!local_redis) {
    removeRunKeys(link, keys);
  }

  if (options.json) {
    std::printf("%s\n", toJson(result).dump(2).c_str());
  } else {
    printReport(result);
  }
  if (!options.csv_path.empty() && !writeThroughputCsv(result, options.csv_path)) {
    fail("cannot write " + options.csv_path);
  }
  if (!options.plot_path.empty()) {
    if (auto error = writePlot(result, latencies.sortedMillis(), options.plot_path);
        !error.empty()) {
      fail(error);
    }
  }
}

}  // namespace

void addLoadtestCommand(CLI::App& app, CommonOptions& common) {
  auto options = std::make_shared<LoadtestOptions>();
  CLI::App* command = app.add_subcommand(
      "loadtest", "end-to-end delivery benchmark on loopback, compared with plain HTTP load");
  command->add_option("--events", options->events, "events to deliver")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{10'000'000}));
  command->add_option("--channels", options->channels, "channels the events are spread over")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{100'000}));
  command->add_option("--dispatch-threads", options->dispatch_threads, "dispatcher threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  command
      ->add_option("--connections", options->connections,
                   "connections to the receiver in total (hookline and the reference)")
      ->capture_default_str()
      ->check(CLI::Range(1, 4096));
  command
      ->add_option("--rate", options->rate,
                   "produce at this many events/s while the engine runs (default: fill the "
                   "stream first)")
      ->check(CLI::Range(0.0, 10'000'000.0));
  command
      ->add_option("--payload-bytes", options->payload_bytes,
                   "pad one sample of each kind to this size (default: the compact samples "
                   "up to 350 bytes)")
      ->check(CLI::Range(std::size_t{0}, std::size_t{1 << 20}));
  command->add_option("--target", options->target,
                      "receiver URL, http://127.x.y.z:PORT/path (default: an in-process sink)");
  command->add_option("--sink-threads", options->sink_threads, "threads of the in-process sink")
      ->capture_default_str()
      ->check(CLI::Range(1, 16));
  command
      ->add_option("--reference", options->reference, "auto (wrk if installed), wrk, builtin, none")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "wrk", "builtin", "none"}));
  command
      ->add_option("--reference-seconds", options->reference_seconds,
                   "duration of the reference load")
      ->capture_default_str()
      ->check(CLI::Range(1, 600));
  command
      ->add_option("--max-in-flight", options->max_in_flight,
                   "the engine's cap on entries read but not yet settled, as the worker's")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}));
  command
      ->add_option("--waiting-retries", options->waiting_retries,
                   "put this many retries in the store, due after the run, before it starts")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{0}, std::size_t{10'000'000}));
  command->add_option("--time-limit", options->time_limit_s, "seconds before giving up waiting")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 86400.0));
  command->add_flag("--json", options->json, "print the results as JSON");
  command->add_flag("--no-progress", options->no_progress, "no progress bar");
  command->add_option("--csv", options->csv_path, "write per-second throughput to this CSV file");
  command->add_option("--plot", options->plot_path,
                      "draw throughput and the latency distribution to this PNG (gnuplot)");
  command->callback([&app, &common, options] { runLoadtest(app, common, *options); });
}

}  // namespace hookline
