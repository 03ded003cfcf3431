#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/ip/address.hpp>
#include <nlohmann/json.hpp>

#include "tools/commands.hpp"
#include "tools/listen_address.hpp"
#include "tools/receiver_server.hpp"
#include "tools/signature_check.hpp"
#include "tools/stop_signals.hpp"

namespace hookline {
namespace {

struct SinkOptions {
  std::string listen = "127.0.0.1:9000";
  int status = 200;
  bool quiet = false;
  double duration_seconds = 0;  // 0: until SIGINT or SIGTERM
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string secret;  // whsec_...: verify every delivery's webhook-signature
};

[[noreturn]] void failSink(const std::string& message) {
  std::fprintf(stderr, "hookline sink: %s\n", message.c_str());
  throw CLI::RuntimeError(1);
}

// Distinct types or channels counted one by one; the rest are summed under "(other)".
constexpr std::size_t kMaxTalliedNames = 10000;

// What the sink has seen; the receiver thread adds, the main thread reads at the end.
class SinkTally {
 public:
  void add(const std::string& type, const std::string& channel, std::size_t bytes,
           std::optional<SignatureVerdict> verdict) {
    std::lock_guard lock(mutex_);
    ++requests_;
    if (verdict) {
      ++(*verdict == SignatureVerdict::Valid ? good_signatures_ : bad_signatures_);
    }
    bytes_ += bytes;
    bump(by_type_, type);
    bump(by_channel_, channel);
  }

  void printSummary(std::chrono::steady_clock::duration elapsed) const {
    std::lock_guard lock(mutex_);
    const double seconds = std::chrono::duration<double>(elapsed).count();
    fmt::print("summary requests={} bytes={} seconds={:.1f}\n", requests_, bytes_, seconds);
    if (good_signatures_ + bad_signatures_ > 0) {
      fmt::print("  signatures valid={} bad={}\n", good_signatures_, bad_signatures_);
    }
    for (const auto& [type, count] : by_type_) {
      fmt::print("  type {} {}\n", type, count);
    }
    for (const auto& [channel, count] : by_channel_) {
      fmt::print("  channel {} {}\n", channel, count);
    }
    std::fflush(stdout);
  }

 private:
  static void bump(std::map<std::string, std::size_t>& counts, const std::string& name) {
    if (counts.size() >= kMaxTalliedNames && counts.find(name) == counts.end()) {
      ++counts["(other)"];
      return;
    }
    ++counts[name];
  }

  mutable std::mutex mutex_;
  std::size_t requests_ = 0;
  std::size_t bytes_ = 0;
  std::size_t good_signatures_ = 0;
  std::size_t bad_signatures_ = 0;
  std::map<std::string, std::size_t> by_type_;
  std::map<std::string, std::size_t> by_channel_;
};

// 2024-05-01T12:00:00.123Z
std::string utcTime(std::chrono::system_clock::time_point time) {
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z", parts, millis % 1000);
}

std::string stringField(const nlohmann::json& body, const char* name) {
  if (!body.is_object()) {
    return "-";
  }
  const auto found = body.find(name);
  return found != body.end() && found->is_string() ? found->get<std::string>() : "-";
}

void runSink(const SinkOptions& options) {
  const auto address = parseListenAddress(options.listen);
  if (!address) {
    failSink("--listen: " + address.error().message);
  }
  boost::system::error_code parse_error;
  const auto ip = boost::asio::ip::make_address(address->host, parse_error);
  if (address->host != "localhost" && (parse_error || !ip.is_loopback())) {
    spdlog::warn("sink listening beyond loopback host={}", address->host);
  }

  // Before the receiver starts its threads, so that they inherit the blocked signals.
  std::mutex stop_mutex;
  std::condition_variable stop_requested;
  bool stopping = false;
  StopSignals signals([&](int) {
    {
      std::lock_guard lock(stop_mutex);
      stopping = true;
    }
    stop_requested.notify_all();
  });

  std::optional<Signer> signer;
  if (!options.secret.empty()) {
    auto parsed = Signer::fromSecrets({options.secret});
    if (!parsed) {
      failSink("--secret: " + parsed.error().message);
    }
    signer = std::move(parsed).value();
  }

  auto tally = std::make_shared<SinkTally>();
  auto print_lock = std::make_shared<std::mutex>();
  ReceiverServer::Options server_options;
  server_options.host = address->host;
  server_options.port = address->port;
  server_options.tls_cert_file = options.tls_cert_file;
  server_options.tls_key_file = options.tls_key_file;
  server_options.max_kept_requests = 0;  // counted here, not kept
  ReceiverServer server(
      server_options, [&options, &signer, tally, print_lock](const ReceivedRequest& request) {
        const auto body = nlohmann::json::parse(request.body, nullptr, false);
        const std::string type = body.is_discarded() ? "(not json)" : stringField(body, "type");
        const std::string channel = stringField(body, "channel_id");
        const std::string id = request.header("webhook-id");
        std::optional<SignatureVerdict> verdict;
        if (signer) {
          verdict =
              checkSignature(*signer, id, request.header("webhook-timestamp"), request.body,
                             request.header("webhook-signature"), std::chrono::system_clock::now());
        }
        tally->add(type, channel, request.body.size(), verdict);
        if (!options.quiet) {
          std::lock_guard lock(*print_lock);
          fmt::print("{} id={} type={} channel={} bytes={}{}{}\n", utcTime(request.received_at),
                     id.empty() ? "-" : id, type, channel, request.body.size(),
                     verdict ? " signature=" : "", verdict ? signatureVerdictName(*verdict) : "");
          std::fflush(stdout);
        }
        ReceiverReply reply;
        reply.status = options.status;
        return reply;
      });
  try {
    server.start();
  } catch (const std::exception& error) {
    failSink(error.what());
  }
  spdlog::info("sink listening url={} status={}", server.url("/"), options.status);

  const auto started = std::chrono::steady_clock::now();
  {
    std::unique_lock lock(stop_mutex);
    if (options.duration_seconds > 0) {
      const auto duration = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::duration<double>(options.duration_seconds));
      stop_requested.wait_for(lock, duration, [&] { return stopping; });
    } else {
      stop_requested.wait(lock, [&] { return stopping; });
    }
  }

  server.stop();
  tally->printSummary(std::chrono::steady_clock::now() - started);
}

}  // namespace

void addSinkCommand(CLI::App& app, CommonOptions& common) {
  auto options = std::make_shared<SinkOptions>();
  CLI::App* sink = app.add_subcommand(
      "sink", "a receiver for trying things out: prints and counts the deliveries it gets");
  sink->add_option("--listen", options->listen, "HOST:PORT to listen on")->capture_default_str();
  sink->add_option("--status", options->status, "HTTP status to answer every request with")
      ->check(CLI::Range(100, 599))
      ->capture_default_str();
  sink->add_flag("--quiet", options->quiet, "print only the summary");
  sink->add_option("--secret", options->secret,
                   "the channel's whsec_ secret: verify each webhook-signature and count bad ones");
  sink->add_option("--duration", options->duration_seconds,
                   "stop after this many seconds (default: at SIGINT or SIGTERM)")
      ->check(CLI::NonNegativeNumber);
  auto* cert =
      sink->add_option("--tls-cert", options->tls_cert_file, "PEM certificate chain: serve HTTPS")
          ->check(CLI::ExistingFile);
  auto* key = sink->add_option("--tls-key", options->tls_key_file, "PEM private key for HTTPS")
                  ->check(CLI::ExistingFile);
  cert->needs(key);
  key->needs(cert);
  // The sink's own options come from flags alone: a deployment's file has serve's `listen`.
  sink->callback([&common, sink, options] {
    applyCommonConfig(*sink, common);  // the log level and format
    runSink(*options);
  });
}

}  // namespace hookline
