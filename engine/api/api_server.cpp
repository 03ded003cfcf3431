#include "engine/api/api_server.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>

#include "engine/api/api_router.hpp"
#include "engine/api/api_session.hpp"

namespace hookline {

namespace net = boost::asio;
using tcp = net::ip::tcp;

// The state accepting connections needs, shared with the queued accept so that it outlives
// the ApiServer object when it has to.
class ApiServer::Listener : public std::enable_shared_from_this<ApiServer::Listener> {
 public:
  Listener(net::io_context& io, ApiServerOptions options)
      : io_(io),
        options_(std::make_shared<const ApiServerOptions>(std::move(options))),
        router_(std::make_shared<ApiRouter>(*options_)),
        acceptor_(net::make_strand(io)) {}

  Status bind() {
    boost::system::error_code ec;
    tcp::resolver resolver(io_);
    const auto endpoints =
        resolver.resolve(options_->host, std::to_string(options_->port),
                         tcp::resolver::passive | tcp::resolver::numeric_service, ec);
    if (ec || endpoints.empty()) {
      return Error{"cannot resolve API listen address " + options_->host + ": " + ec.message()};
    }
    const tcp::endpoint endpoint = endpoints.begin()->endpoint();
    if (acceptor_.open(endpoint.protocol(), ec); ec) {
      return Error{"cannot open the API socket: " + ec.message()};
    }
    acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (acceptor_.bind(endpoint, ec); ec) {
      return Error{"cannot bind the API to " + options_->host + ":" +
                   std::to_string(options_->port) + ": " + ec.message()};
    }
    if (acceptor_.listen(net::socket_base::max_listen_connections, ec); ec) {
      return Error{"cannot listen for the API: " + ec.message()};
    }
    port_ = acceptor_.local_endpoint(ec).port();
    spdlog::info(
        "api listening address={}:{} body_limit={} header_limit={} read_timeout_ms={} "
        "idle_timeout_ms={} write_timeout_ms={} max_connections={} allow_http={}",
        options_->host, port_.load(), options_->body_limit, options_->header_limit,
        options_->read_timeout.count(), options_->idle_timeout.count(),
        options_->write_timeout.count(), options_->max_connections, options_->allow_http);
    if (options_->allow_http) {
      spdlog::warn("api accepts plain-http webhook URLs (--allow-http); for local testing only");
    }
    for (const auto& range : options_->allow_networks) {
      spdlog::warn("api accepts webhook URLs in the allow-listed network {} (--allow-network)",
                   range.toString());
    }
    if (!options_->resolve) {
      spdlog::warn("api has no host resolver: webhook URLs with host names are refused");
    }
    net::post(acceptor_.get_executor(), [self = shared_from_this()] { self->startAccept(); });
    return {};
  }

  void stop() {
    if (stopped_.exchange(true)) {
      return;
    }
    net::post(acceptor_.get_executor(), [self = shared_from_this()] {
      boost::system::error_code ignored;
      self->acceptor_.close(ignored);
    });
    std::lock_guard lock(sessions_mutex_);
    for (auto& weak : sessions_) {
      if (auto session = weak.lock()) {
        session->close();
      }
    }
    sessions_.clear();
    router_->stopWorkers();
  }

  void joinWorkers() { router_->joinWorkers(); }

  unsigned short port() const { return port_.load(); }
  const ApiRouter& router() const { return *router_; }

 private:
  void startAccept() {
    if (stopped_) {
      return;
    }
    acceptor_.async_accept(net::make_strand(io_), boost::beast::bind_front_handler(
                                                      &Listener::onAccept, shared_from_this()));
  }

  void onAccept(boost::system::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || stopped_) {
      return;
    }
    if (ec) {
      spdlog::warn("api accept failed reason=\"{}\"", ec.message());
    } else {
      admit(std::move(socket));
    }
    startAccept();
  }

  void admit(tcp::socket socket) {
    std::lock_guard lock(sessions_mutex_);
    boost::system::error_code ignored;
    if (stopped_) {
      socket.close(ignored);
      return;
    }
    std::erase_if(sessions_, [](const auto& weak) { return weak.expired(); });
    if (sessions_.size() >= options_->max_connections) {
      refused_connections_ += 1;
      spdlog::warn("api connection refused reason=\"too many connections\" limit={} refused={}",
                   options_->max_connections, refused_connections_);
      socket.close(ignored);
      return;
    }
    auto session = std::make_shared<ApiSession>(std::move(socket), router_, options_);
    sessions_.push_back(session);
    session->start();
  }

  net::io_context& io_;
  std::shared_ptr<const ApiServerOptions> options_;
  std::shared_ptr<ApiRouter> router_;
  tcp::acceptor acceptor_;
  std::atomic<unsigned short> port_{0};
  std::atomic<bool> stopped_{false};
  std::mutex sessions_mutex_;  // guards sessions_ and refused_connections_
  std::vector<std::weak_ptr<ApiSession>> sessions_;
  std::uint64_t refused_connections_ = 0;
};

ApiServer::ApiServer(net::io_context& io, ApiServerOptions options)
    : listener_(std::make_shared<Listener>(io, std::move(options))) {}

ApiServer::~ApiServer() {
  stop();
  // No worker may outlive the server: its answers are posted to the io_context, which the
  // caller may destroy next.
  listener_->joinWorkers();
}

Status ApiServer::start() {
  return listener_->bind();
}

unsigned short ApiServer::port() const {
  return listener_->port();
}

void ApiServer::stop() {
  listener_->stop();
}

const ApiRouter& ApiServer::router() const {
  return listener_->router();
}

}  // namespace hookline
