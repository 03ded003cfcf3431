#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <atomic>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "common/host_resolver.hpp"
#include "common/log.hpp"
#include "engine/api/api_server.hpp"
#include "engine/engine.hpp"
#include "engine/metrics/engine_metrics.hpp"
#include "registry/webhook_cache.hpp"
#include "tools/api_limit_flags.hpp"
#include "tools/commands.hpp"
#include "tools/duration_text.hpp"
#include "tools/layered_config.hpp"
#include "tools/listen_address.hpp"
#include "tools/stop_signals.hpp"

namespace hookline {
namespace {

struct ServeOptions {
  std::string listen = "127.0.0.1:8080";
  std::string consumer;
  bool allow_http = false;
  std::string ca_file;
  int dispatch_threads = 1;
  std::size_t max_in_flight = 4096;
  std::size_t max_per_endpoint = 64;
  std::size_t batch_size = 256;
  int connect_timeout_ms = 5000;
  int attempt_timeout_ms = 15000;
  int shutdown_deadline_ms = 10000;
  ApiLimitFlags api_limits;
  std::string retry_schedule = "5s,30s,2m,10m,30m,1h,3h,6h,12h";
  double retry_jitter = 0.2;
  std::string retry_after_cap = "1h";
  std::size_t attempt_history = 1000;
  std::size_t circuit_failures = 10;
  std::string circuit_cooldown = "30s";
  std::string circuit_max_cooldown = "10m";
  std::vector<std::string> allow_networks;
  bool allow_any_address = false;
  std::vector<std::string> resolve;
  std::string reclaim_idle = "60s";
  int max_deliveries = 5;
  bool keep_acked = false;
  std::size_t dead_letter_max = 1'000'000;
  std::string metrics_listen;  // worker: serve /healthz, /readyz and /metrics here; empty: off
};

enum class Role { Both, WorkerOnly, ApiOnly };

// What /metrics shows: the process, the shared queues, and this process's engine if it runs one.
void addServeMetrics(MetricsRegistry& metrics, const CommonOptions& common, const Engine* engine) {
  addProcessMetrics(metrics);
  if (engine != nullptr) {
    addEngineMetrics(metrics, *engine);
  }
  addQueueMetrics(metrics, common.redisOptions(),
                  QueueNames{.stream = common.stream,
                             .group = common.group,
                             .dead_letter_stream = common.dead_letter_stream,
                             .key_prefix = common.key_prefix});
}

void addOptions(CLI::App& command, ServeOptions& options, Role role) {
  if (role != Role::WorkerOnly) {
    command.add_option("--listen", options.listen, "API address HOST:PORT")->capture_default_str();
    addApiLimitFlags(command, options.api_limits);
  }
  command.add_flag("--allow-http", options.allow_http,
                   "accept plain-http webhook URLs (local testing only)");
  command.add_option("--allow-network", options.allow_networks,
                     "CIDR range webhooks may reach although it is not public (repeatable)");
  command.add_flag("--allow-any-address", options.allow_any_address,
                   "development switch: lift the address guard for every address (never in "
                   "production; warned about at start)");
  if (role == Role::WorkerOnly) {
    command.add_option("--metrics-listen", options.metrics_listen,
                       "HOST:PORT serving /metrics, /healthz and /readyz (default: off)");
  }
  if (role != Role::ApiOnly) {
    command.add_option("--consumer", options.consumer,
                       "consumer name, stable across restarts (default: the host name)");
    command.add_option("--ca-file", options.ca_file, "extra trusted CA certificates (PEM)");
    command.add_option("--resolve", options.resolve,
                       "HOST:PORT:ADDRESS fixed answer for deliveries, as curl's --resolve "
                       "(repeatable; the address guard still applies)");
    command.add_option("--dispatch-threads", options.dispatch_threads, "dispatcher threads")
        ->capture_default_str()
        ->check(CLI::Range(1, 64));
    command
        .add_option("--max-in-flight", options.max_in_flight,
                    "entries read but not yet settled, in total")
        ->capture_default_str()
        ->check(CLI::Range(1, 1'000'000));
    command
        .add_option("--max-per-endpoint", options.max_per_endpoint,
                    "deliveries in flight to one endpoint per dispatcher thread; the rest wait "
                    "above curl")
        ->capture_default_str()
        ->check(CLI::Range(1, 100'000));
    command.add_option("--batch-size", options.batch_size, "entries per stream read")
        ->capture_default_str()
        ->check(CLI::Range(1, 10'000));
    command
        .add_option("--connect-timeout-ms", options.connect_timeout_ms,
                    "limit to connect, per attempt")
        ->capture_default_str()
        ->check(CLI::Range(100, 600'000));
    command
        .add_option("--attempt-timeout-ms", options.attempt_timeout_ms, "limit of a whole attempt")
        ->capture_default_str()
        ->check(CLI::Range(100, 600'000));
    command
        .add_option("--shutdown-deadline-ms", options.shutdown_deadline_ms,
                    "how long in-flight deliveries may finish at stop")
        ->capture_default_str()
        ->check(CLI::Range(0, 600'000));
    command
        .add_option("--retry-schedule", options.retry_schedule,
                    "delays before each retry; their count is the retry budget")
        ->capture_default_str();
    command.add_option("--retry-jitter", options.retry_jitter, "each delay varies by this share")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 0.9));
    command
        .add_option("--retry-after-cap", options.retry_after_cap,
                    "longest wait a receiver's Retry-After can ask for")
        ->capture_default_str();
    command
        .add_option("--attempt-history", options.attempt_history,
                    "delivery attempts kept per channel")
        ->capture_default_str()
        ->check(CLI::Range(std::size_t{1}, std::size_t{100'000}));
    command
        .add_option("--reclaim-idle", options.reclaim_idle,
                    "take over entries another worker left idle this long; at least twice "
                    "--attempt-timeout-ms plus 1s")
        ->capture_default_str();
    command
        .add_option("--max-deliveries", options.max_deliveries,
                    "dead-letter an entry as poison once handed out more often than this")
        ->capture_default_str()
        ->check(CLI::Range(1, 1000));
    command.add_flag("--keep-acked", options.keep_acked,
                     "leave acked entries in the stream (producers must cap it with MAXLEN)");
    command
        .add_option("--dead-letter-max", options.dead_letter_max,
                    "the dead-letter stream is capped near this many entries")
        ->capture_default_str()
        ->check(CLI::Range(std::size_t{1}, std::size_t{100'000'000}));
    command
        .add_option("--circuit-failures", options.circuit_failures,
                    "consecutive failures that open an endpoint's circuit (0: never)")
        ->capture_default_str()
        ->check(CLI::Range(std::size_t{0}, std::size_t{1'000'000}));
    command
        .add_option("--circuit-cooldown", options.circuit_cooldown,
                    "wait before an open circuit's first probe; doubles per failed probe")
        ->capture_default_str();
    command
        .add_option("--circuit-max-cooldown", options.circuit_max_cooldown,
                    "longest wait between probes of an open circuit")
        ->capture_default_str();
  }
}

std::chrono::milliseconds durationOption(const std::string& name, const std::string& text) {
  auto duration = parseDuration(text);
  if (!duration) {
    throw CLI::ValidationError(name, duration.error().message);
  }
  return *duration;
}

// The --allow-network ranges; a bad one stops start-up, naming it.
std::vector<CidrRange> allowNetworks(const ServeOptions& options) {
  std::vector<CidrRange> ranges;
  for (const auto& text : options.allow_networks) {
    auto range = CidrRange::parse(text);
    if (!range) {
      throw CLI::ValidationError("--allow-network", range.error().message);
    }
    ranges.push_back(*range);
  }
  if (options.allow_any_address) {
    ranges.push_back(*CidrRange::parse("0.0.0.0/0"));
    ranges.push_back(*CidrRange::parse("::/0"));
  }
  return ranges;
}

void checkResolveEntries(const ServeOptions& options) {
  for (const auto& entry : options.resolve) {
    if (!isResolveEntry(entry)) {
      throw CLI::ValidationError("--resolve", "'" + entry + "' is not HOST:PORT:ADDRESS");
    }
  }
}

EngineOptions engineOptions(const CommonOptions& common, const ServeOptions& options) {
  EngineOptions engine;
  engine.redis = common.redisOptions();
  engine.stream = common.stream;
  engine.group = common.group;
  engine.dead_letter_stream = common.dead_letter_stream;
  engine.consumer = options.consumer;
  engine.batch_size = options.batch_size;
  engine.max_in_flight = options.max_in_flight;
  engine.attempt.max_per_endpoint = options.max_per_endpoint;
  engine.dispatch_threads = options.dispatch_threads;
  engine.http.ca_file = options.ca_file;
  engine.http.allow_networks = allowNetworks(options);
  engine.http.resolve = options.resolve;
  engine.attempt.connect_timeout = std::chrono::milliseconds(options.connect_timeout_ms);
  engine.attempt.total_timeout = std::chrono::milliseconds(options.attempt_timeout_ms);
  engine.attempt.allow_http = options.allow_http;
  engine.shutdown_deadline = std::chrono::milliseconds(options.shutdown_deadline_ms);
  engine.key_prefix = common.key_prefix;
  engine.attempt_history = options.attempt_history;
  auto schedule = parseDurationList(options.retry_schedule);
  if (!schedule) {
    throw CLI::ValidationError("--retry-schedule", schedule.error().message);
  }
  auto cap = parseDuration(options.retry_after_cap);
  if (!cap) {
    throw CLI::ValidationError("--retry-after-cap", cap.error().message);
  }
  auto reclaim_idle = parseDuration(options.reclaim_idle);
  if (!reclaim_idle) {
    throw CLI::ValidationError("--reclaim-idle", reclaim_idle.error().message);
  }
  engine.recovery.reclaim_idle = *reclaim_idle;
  engine.recovery.max_deliveries = options.max_deliveries;
  engine.recovery.trim_acked = !options.keep_acked;
  engine.dead_letter_max = options.dead_letter_max;
  if (auto status = checkRecoveryOptions(engine.recovery, engine.attempt.total_timeout); !status) {
    throw CLI::ValidationError("--reclaim-idle", status.error().message);
  }
  engine.retry.delays = *schedule;
  engine.retry.jitter = options.retry_jitter;
  engine.retry.retry_after_cap = *cap;
  engine.circuit.failure_threshold = options.circuit_failures;
  engine.circuit.cooldown = durationOption("--circuit-cooldown", options.circuit_cooldown);
  engine.circuit.max_cooldown =
      durationOption("--circuit-max-cooldown", options.circuit_max_cooldown);
  if (engine.circuit.max_cooldown < engine.circuit.cooldown) {
    throw CLI::ValidationError("--circuit-max-cooldown",
                               "must not be shorter than --circuit-cooldown");
  }
  return engine;
}

void runServe(const CommonOptions& common, const ServeOptions& options, Role role) {
  const RedisOptions redis = common.redisOptions();
  // Bad ranges or resolve entries stop start-up before anything is connected or started.
  const auto allowed = allowNetworks(options);
  checkResolveEntries(options);
  if (options.allow_any_address) {
    spdlog::warn(
        "--allow-any-address is on: the address guard is lifted and webhooks may reach "
        "loopback, private and cloud-metadata addresses; for local development only, never "
        "in production");
  }
  if (options.allow_http && role == Role::WorkerOnly) {
    spdlog::warn(
        "--allow-http is on: plain-http webhook URLs are accepted; never use this in "
        "production");
  }

  // Options are checked before anything starts, so a bad combination only prints the reason.
  std::optional<EngineOptions> engine_options;
  if (role != Role::ApiOnly) {
    engine_options = engineOptions(common, options);
  }

  StopSignals::blockInThisThread();
  boost::asio::io_context api_io;
  MetricsRegistry metrics;  // registered in full before the API threads start
  std::unique_ptr<ApiServer> api;
  std::unique_ptr<WebhookCache> webhooks;
  std::unique_ptr<Engine> engine;
  // Read by /readyz on the API threads; the engine is set before those threads start.
  std::atomic<bool> stopping{false};
  std::atomic<const Engine*> ready_engine{nullptr};

  const bool metrics_only = role == Role::WorkerOnly && !options.metrics_listen.empty();
  if (role != Role::WorkerOnly || metrics_only) {
    const char* flag = metrics_only ? "--metrics-listen" : "--listen";
    auto address = parseListenAddress(metrics_only ? options.metrics_listen : options.listen);
    if (!address) {
      throw CLI::ValidationError(flag, address.error().message);
    }
    ApiServerOptions api_options;
    api_options.host = address->host;
    api_options.port = address->port;
    api_options.allow_http = options.allow_http;
    applyApiLimitFlags(options.api_limits, api_options);
    api_options.allow_networks = allowed;
    api_options.resolve = systemResolver();
    api_options.key_prefix = common.key_prefix;
    api_options.redis = redis;
    api_options.stream = common.stream;
    api_options.management = !metrics_only;
    api_options.metrics = [&metrics] { return metrics.render(); };
    // Not ready once a stop began (the API keeps answering while the engine drains, so a load
    // balancer sees 503 rather than refused connections), nor while the engine cannot read its
    // stream: Redis unreachable or the group missing. The router adds its own PING.
    api_options.ready = [&stopping, &ready_engine] {
      const Engine* current = ready_engine.load();
      return !stopping.load() && (current == nullptr || current->ready());
    };
    api = std::make_unique<ApiServer>(api_io, api_options);
    if (auto status = api->start(); !status) {
      std::cerr << "hookline: " << status.error().message << "\n";
      throw CLI::RuntimeError(1);
    }
  }

  if (role != Role::ApiOnly) {
    webhooks = std::make_unique<WebhookCache>(redis, common.key_prefix);
    if (auto status = webhooks->start(); !status) {
      spdlog::warn("webhook cache not loaded yet, retrying error={}", status.error().message);
    }
    engine = std::make_unique<Engine>(*engine_options, *webhooks);
    ready_engine.store(engine.get());
  }
  addServeMetrics(metrics, common, engine.get());

  // Every part exists before the signal thread can touch it.
  StopSignals signals([&](int signal_number) {
    spdlog::info("stop requested signal={}", signal_number);
    stopping.store(true);
    if (engine) {
      engine->requestStop();
    } else if (api) {
      boost::asio::post(api_io, [&] { api->stop(); });
    }
  });

  std::vector<std::thread> api_threads;
  if (api) {
    for (int i = 0; i < options.api_limits.threads; ++i) {
      api_threads.emplace_back([&] { api_io.run(); });
    }
  }
  if (engine) {
    engine->run();
    webhooks->stop();
    // The API answered not-ready while the engine drained; it stops only now.
    if (api) {
      boost::asio::post(api_io, [&] { api->stop(); });
    }
  }
  for (auto& thread : api_threads) {
    thread.join();
  }
}

void addServe(CLI::App& app, CommonOptions& common, const char* name, const char* description,
              Role role) {
  auto options = std::make_shared<ServeOptions>();
  auto print_config = std::make_shared<bool>(false);
  CLI::App* command = app.add_subcommand(name, description);
  addOptions(*command, *options, role);
  command->add_flag("--print-config", *print_config,
                    "print the effective configuration (secrets masked) and exit");
  command->callback([&app, &common, command, options, print_config, role] {
    // The file and the environment fill what the command line left unset (layered_config.hpp).
    const LayeredConfig config(common.config_file, knownKeys(app, {"serve", "worker", "api"}),
                               *command);
    log::setup(common.log_level, *log::parseFormat(common.log_format));
    if (*print_config) {
      std::cout << effectiveConfig(*command);
      return;
    }
    try {
      runServe(common, *options, role);
    } catch (const CLI::ValidationError& error) {
      throw CLI::ValidationError(config.explain(error.what()));
    }
  });
}

}  // namespace

void addServeCommands(CLI::App& app, CommonOptions& common) {
  addServe(app, common, "serve", "the daemon: management API and dispatcher in one process",
           Role::Both);
  addServe(app, common, "worker", "the dispatcher alone", Role::WorkerOnly);
  addServe(app, common, "api", "the management API alone", Role::ApiOnly);
}

}  // namespace hookline
