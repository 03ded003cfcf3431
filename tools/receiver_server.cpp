#include "tools/receiver_server.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

#include <spdlog/spdlog.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/string.hpp>

#include "tools/receiver_session.hpp"

namespace hookline {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;
using ErrorCode = boost::system::error_code;

constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(50);

asio::ip::address parseHost(const std::string& host) {
  if (host == "localhost") {
    return asio::ip::address_v4::loopback();
  }
  ErrorCode error;
  auto address = asio::ip::make_address(host, error);
  if (error) {
    throw std::runtime_error("receiver: '" + host + "' is not an IP address");
  }
  return address;
}

}  // namespace

std::string ReceivedRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (beast::iequals(key, name)) {
      return value;
    }
  }
  return {};
}

namespace detail {

// What the server and its sessions share. Sessions live in handlers queued on `io` and hold a
// reference to the core: `io` is destroyed (destroying them) before anything they use.
struct ReceiverCore {
  using Options = ReceiverServer::Options;
  using Handler = ReceiverServer::Handler;

  ReceiverCore(Options opts, Handler h) : options(std::move(opts)), handler(std::move(h)) {
    session_context.max_body = options.max_body;
    session_context.idle_timeout = options.idle_timeout;
    session_context.receive = [this](ReceivedRequest request) {
      return receive(std::move(request));
    };
  }

  void accept();
  void onAccept(const ErrorCode& error, tcp::socket socket);
  // Records the request, then asks the handler (outside the lock) how to answer.
  ReceiverReply receive(ReceivedRequest request);

  const Options options;
  const Handler handler;
  ReceiverSessionContext session_context;
  std::optional<ssl::context> tls;
  std::unique_ptr<asio::io_context> io;
  std::optional<tcp::acceptor> acceptor;
  std::optional<asio::steady_timer> accept_retry;
  std::vector<std::thread> threads;
  unsigned short port = 0;
  std::atomic<std::size_t> accepted{0};

  mutable std::mutex mutex;
  mutable std::condition_variable arrived;
  std::deque<ReceivedRequest> kept;  // guarded by mutex
  std::size_t received = 0;          // guarded by mutex
};

}  // namespace detail

void detail::ReceiverCore::accept() {
  acceptor->async_accept(asio::make_strand(*io), [this](const ErrorCode& error, tcp::socket s) {
    onAccept(error, std::move(s));
  });
}

void detail::ReceiverCore::onAccept(const ErrorCode& error, tcp::socket socket) {
  if (error == asio::error::operation_aborted || !acceptor->is_open()) {
    return;
  }
  if (error) {
    // Out of descriptors, say: try again shortly rather than spin.
    spdlog::warn("receiver accept failed error={}", error.message());
    accept_retry->expires_after(kAcceptRetryDelay);
    accept_retry->async_wait([this](const ErrorCode& wait_error) {
      if (!wait_error) {
        accept();
      }
    });
    return;
  }

  ++accepted;
  ErrorCode ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  startReceiverSession(session_context, std::move(socket), tls ? &*tls : nullptr);
  accept();
}

ReceiverReply detail::ReceiverCore::receive(ReceivedRequest request) {
  // Recorded before the handler runs, so a waiter sees a request whose answer is delayed or
  // never comes.
  {
    std::lock_guard lock(mutex);
    ++received;
    kept.push_back(request);
    while (kept.size() > options.max_kept_requests) {
      kept.pop_front();
    }
  }
  arrived.notify_all();

  if (!handler) {
    return {};
  }
  try {
    return handler(request);
  } catch (const std::exception& error) {
    spdlog::warn("receiver handler threw error={}", error.what());
    ReceiverReply failed;
    failed.status = 500;
    return failed;
  }
}

ReceiverServer::ReceiverServer(Options options, Handler handler)
    : core_(std::make_unique<detail::ReceiverCore>(std::move(options), std::move(handler))) {}

ReceiverServer::~ReceiverServer() {
  stop();
}

void ReceiverServer::start() {
  detail::ReceiverCore& core = *core_;
  if (core.io) {
    throw std::runtime_error("receiver: already started");
  }
  const Options& options = core.options;
  const bool use_tls = !options.tls_cert_file.empty() || !options.tls_key_file.empty();
  if (use_tls) {
    if (options.tls_cert_file.empty() || options.tls_key_file.empty()) {
      throw std::runtime_error("receiver: HTTPS needs both a certificate and a key file");
    }
    core.tls.emplace(ssl::context::tls_server);
    core.tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                          ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                          ssl::context::no_tlsv1_1);
    ErrorCode error;
    core.tls->use_certificate_chain_file(options.tls_cert_file, error);
    if (!error) {
      core.tls->use_private_key_file(options.tls_key_file, ssl::context::pem, error);
    }
    if (error) {
      core.tls.reset();
      throw std::runtime_error("receiver: cannot load TLS certificate or key: " + error.message());
    }
  }

  core.io = std::make_unique<asio::io_context>(std::max(1, options.threads));
  const tcp::endpoint endpoint(parseHost(options.host), options.port);
  ErrorCode error;
  core.acceptor.emplace(*core.io);
  core.acceptor->open(endpoint.protocol(), error);
  if (!error) {
    core.acceptor->set_option(asio::socket_base::reuse_address(true), error);
  }
  if (!error) {
    core.acceptor->bind(endpoint, error);
  }
  if (!error) {
    core.acceptor->listen(asio::socket_base::max_listen_connections, error);
  }
  if (error) {
    core.acceptor.reset();
    core.io.reset();
    throw std::runtime_error("receiver: cannot listen on " + options.host + ":" +
                             std::to_string(options.port) + ": " + error.message());
  }
  core.port = core.acceptor->local_endpoint().port();
  core.accept_retry.emplace(*core.io);

  core.accept();
  for (int i = 0; i < std::max(1, options.threads); ++i) {
    core.threads.emplace_back([&core] { core.io->run(); });
  }
}

void ReceiverServer::stop() {
  detail::ReceiverCore& core = *core_;
  if (!core.io) {
    return;
  }
  core.io->stop();
  for (auto& thread : core.threads) {
    thread.join();
  }
  core.threads.clear();
  // Destroying the io_context destroys the queued handlers and with them every session and
  // its socket, answered or not.
  core.accept_retry.reset();
  core.acceptor.reset();
  core.io.reset();
}

unsigned short ReceiverServer::port() const {
  return core_->port;
}

std::string ReceiverServer::url(std::string_view path) const {
  const std::string& host = core_->options.host;
  std::string text = core_->tls ? "https://" : "http://";
  text += host.find(':') != std::string::npos ? "[" + host + "]" : host;
  text += ":" + std::to_string(core_->port);
  if (path.empty() || path.front() != '/') {
    text += '/';
  }
  text += path;
  return text;
}

std::size_t ReceiverServer::count() const {
  std::lock_guard lock(core_->mutex);
  return core_->received;
}

std::vector<ReceivedRequest> ReceiverServer::requests() const {
  std::lock_guard lock(core_->mutex);
  return {core_->kept.begin(), core_->kept.end()};
}

bool ReceiverServer::waitForCount(std::size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(core_->mutex);
  return core_->arrived.wait_for(lock, timeout, [&] { return core_->received >= n; });
}

std::size_t ReceiverServer::acceptedConnections() const {
  return core_->accepted.load();
}

}  // namespace hookline
