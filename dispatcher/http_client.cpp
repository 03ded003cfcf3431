#include "dispatcher/http_client.hpp"

#include <array>
#include <mutex>
#include <stdexcept>
#include <utility>

#include <spdlog/spdlog.h>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>

#include "dispatcher/ca_trust.hpp"
#include "dispatcher/transfer.hpp"

namespace hookline {
namespace {

void initCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    const curl_version_info_data* info = curl_version_info(CURLVERSION_NOW);
    if (auto status = checkLibcurl(*info); !status) {
      throw std::runtime_error(status.error().message);
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      throw std::runtime_error("curl_global_init failed");
    }
    // The full version line names every library curl was built with; a distribution's patch
    // level is not visible through libcurl (TODO: read it from the package manager when run
    // from a package), so operators compare the version with their distribution's advisories.
    spdlog::info("libcurl ready version={} ssl={} asynch_dns=yes build=\"{}\"", info->version,
                 info->ssl_version != nullptr ? info->ssl_version : "none", curl_version());
  });
}

CurlSlist resolveList(const std::vector<std::string>& entries) {
  curl_slist* list = nullptr;
  for (const auto& entry : entries) {
    if (!isResolveEntry(entry)) {
      curl_slist_free_all(list);
      throw std::runtime_error("resolve entry '" + entry + "' is not HOST:PORT:ADDRESS");
    }
    curl_slist* grown = curl_slist_append(list, entry.c_str());
    if (grown == nullptr) {
      curl_slist_free_all(list);
      throw std::runtime_error("out of memory building the resolve list");
    }
    list = grown;
  }
  return CurlSlist(list);
}

}  // namespace

Status checkLibcurl(const curl_version_info_data& info) {
  if ((info.features & CURL_VERSION_ASYNCHDNS) == 0) {
    return Error{
        "libcurl was built without asynchronous DNS; a lookup would block the io thread and "
        "time out by signal"};
  }
  if ((info.features & CURL_VERSION_SSL) == 0) {
    return Error{"libcurl was built without TLS; https webhooks cannot be sent"};
  }
  return {};
}

// One socket curl asked us to watch. The descriptor only borrows curl's fd: it is released,
// never closed, because curl closes its own sockets (right after telling us to forget them).
struct HttpClient::SocketWatch {
  SocketWatch(boost::asio::io_context& io, curl_socket_t fd) : descriptor(io), socket(fd) {}
  ~SocketWatch() { release(); }

  bool wants(Direction direction) const {
    return (what & (direction == Direction::Read ? CURL_POLL_IN : CURL_POLL_OUT)) != 0;
  }
  bool& pending(Direction direction) { return waiting[direction == Direction::Read ? 0 : 1]; }
  // Cancels the pending waits (their handlers see operation_aborted) and stops watching the fd.
  void release() {
    released = true;
    if (descriptor.is_open()) {
      descriptor.release();
    }
  }

  boost::asio::posix::stream_descriptor descriptor;
  curl_socket_t socket;
  int what = 0;                   // CURL_POLL_IN / OUT / INOUT as curl last asked
  std::array<bool, 2> waiting{};  // an async_wait is queued for read / write
  bool released = false;          // curl removed it; its fd may already be reused
};

bool isResolveEntry(const std::string& entry) {
  const auto first = entry.find(':');
  const auto second = first == std::string::npos ? first : entry.find(':', first + 1);
  if (first == 0 || second == std::string::npos || second + 1 >= entry.size()) {
    return false;
  }
  const auto port = entry.substr(first + 1, second - first - 1);
  return !port.empty() && port.size() <= 5 &&
         port.find_first_not_of("0123456789") == std::string::npos && std::stoi(port) > 0 &&
         std::stoi(port) <= 65535;
}

HttpClient::HttpClient(boost::asio::io_context& io, HttpClientOptions options)
    : io_(io),
      options_(std::move(options)),
      network_(options_.allow_networks),
      resolve_(resolveList(options_.resolve)),
      timer_(io) {
  initCurlOnce();
  ca_trust_ = loadCaTrust(options_);
  multi_.reset(curl_multi_init());
  if (!multi_) {
    throw std::runtime_error("curl_multi_init failed");
  }
  CURLM* multi = multi_.get();
  curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION,
                    static_cast<curl_socket_callback>(&HttpClient::onSocket));
  curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, static_cast<void*>(this));
  curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION,
                    static_cast<curl_multi_timer_callback>(&HttpClient::onTimer));
  curl_multi_setopt(multi, CURLMOPT_TIMERDATA, static_cast<void*>(this));
  curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, options_.max_total_connections);
}

HttpClient::~HttpClient() {
  closing_ = true;
  alive_.reset();
  timer_.cancel();

  // Easies first (an unfinished one closes its connection, announced as a remove), then the
  // multi (closing pooled connections, announced the same way), then whatever is left.
  for (auto& [easy, transfer] : transfers_) {
    curl_multi_remove_handle(multi_.get(), easy);
  }
  transfers_.clear();
  idle_easies_.clear();
  multi_.reset();
  for (auto& [socket, watch] : sockets_) {
    watch->release();
  }
  sockets_.clear();
}

void HttpClient::send(DeliveryRequest request, Completion done) {
  auto transfer = std::make_unique<Transfer>(std::move(request), std::move(done));
  CurlEasy reused;
  if (!idle_easies_.empty()) {
    reused = std::move(idle_easies_.back());
    idle_easies_.pop_back();
  }
  if (CURLcode code =
          transfer->configure(std::move(reused), options_, ca_trust_, network_, resolve_.get());
      code != CURLE_OK) {
    fail(std::move(transfer), code);
    return;
  }

  transfer->markStarted();
  CURL* easy = transfer->easy();
  // add_handle only sets curl's timer (a zero timeout, which we post); nothing completes here.
  if (CURLMcode code = curl_multi_add_handle(multi_.get(), easy); code != CURLM_OK) {
    transfer->setError(std::string("curl_multi_add_handle: ") + curl_multi_strerror(code));
    fail(std::move(transfer), CURLE_FAILED_INIT);
    return;
  }
  transfers_.emplace(easy, std::move(transfer));
}

int HttpClient::onSocket(CURL* easy, curl_socket_t socket, int what, void* self,
                         void* socket_data) noexcept {
  auto* client = static_cast<HttpClient*>(self);
  try {
    if (what == CURL_POLL_REMOVE) {
      client->forgetSocket(socket);
    } else {
      client->watchSocket(socket, what);
    }
  } catch (const std::exception& error) {
    // Only allocation can throw here. Returning an error would abort every transfer, so the
    // one on this socket is left to its own timeout instead.
    ++client->socket_watch_failures_;
    spdlog::warn("cannot watch curl socket fd={} error={}", socket, error.what());
  }
  return 0;
}

int HttpClient::onTimer(CURLM* multi, long timeout_ms, void* self) noexcept {
  auto* client = static_cast<HttpClient*>(self);
  try {
    client->scheduleTimeout(timeout_ms);
  } catch (const std::exception& error) {
    spdlog::error("cannot arm curl timer timeout_ms={} error={}", timeout_ms, error.what());
    return -1;
  }
  return 0;
}

void HttpClient::watchSocket(curl_socket_t socket, int what) {
  if (closing_) {
    return;
  }
  auto found = sockets_.find(socket);
  if (found == sockets_.end()) {
    auto watch = std::make_shared<SocketWatch>(io_, socket);
    boost::system::error_code error;
    watch->descriptor.assign(socket, error);
    if (error) {
      ++socket_watch_failures_;
      spdlog::warn("cannot watch curl socket fd={} error={}", socket, error.message());
      return;
    }
    found = sockets_.emplace(socket, std::move(watch)).first;
  }
  found->second->what = what;
  armWaits(found->second);
}

void HttpClient::forgetSocket(curl_socket_t socket) {
  // A remove may come for a socket never announced (or one we failed to watch): nothing to do.
  auto found = sockets_.find(socket);
  if (found == sockets_.end()) {
    return;
  }
  found->second->release();
  sockets_.erase(found);
}

void HttpClient::armWaits(const std::shared_ptr<SocketWatch>& watch) {
  for (Direction direction : {Direction::Read, Direction::Write}) {
    if (watch->wants(direction) && !watch->pending(direction)) {
      startWait(watch, direction);
    }
  }
}

void HttpClient::startWait(const std::shared_ptr<SocketWatch>& watch, Direction direction) {
  // Asio re-arms its edge-triggered registration on every new wait, so data already buffered
  // when we wait again is reported at once rather than lost.
  const auto type = direction == Direction::Read ? boost::asio::posix::descriptor_base::wait_read
                                                 : boost::asio::posix::descriptor_base::wait_write;
  watch->pending(direction) = true;
  watch->descriptor.async_wait(
      type, [this, weak = std::weak_ptr<SocketWatch>(watch), direction](
                const boost::system::error_code& error) { onSocketReady(weak, direction, error); });
}

void HttpClient::onSocketReady(const std::weak_ptr<SocketWatch>& weak, Direction direction,
                               const boost::system::error_code& error) {
  // The socket table owns every live watch, and the client owns the table: a watch that is
  // gone means the socket was removed or the client destroyed, so `this` is not touched.
  auto watch = weak.lock();
  if (!watch) {
    return;
  }
  watch->pending(direction) = false;
  if (error == boost::asio::error::operation_aborted || watch->released) {
    return;
  }
  if (!watch->wants(direction)) {
    return;  // curl changed its mind meanwhile; watchSocket arms again if it asks again
  }

  int events = direction == Direction::Read ? CURL_CSELECT_IN : CURL_CSELECT_OUT;
  if (error) {
    events = CURL_CSELECT_ERR;
  }
  act(watch->socket, events);

  // Wait again as long as curl still wants this direction (field case B08: waiting only when
  // curl's interest changed left slow responses crawling on curl's timer). The socket may have
  // been removed, and its number reused by a new watch, during act().
  if (!watch->released) {
    armWaits(watch);
  }
}

void HttpClient::scheduleTimeout(long timeout_ms) {
  if (closing_) {
    return;
  }
  timer_.cancel();
  if (timeout_ms < 0) {
    return;
  }
  if (timeout_ms == 0) {
    // "Act now", but we are inside curl: do it from the io loop, once however often asked.
    if (!timeout_posted_) {
      timeout_posted_ = true;
      boost::asio::post(io_, [this, alive = std::weak_ptr<const bool>(alive_)] {
        if (alive.expired()) {
          return;
        }
        timeout_posted_ = false;
        onTimeout();
      });
    }
    return;
  }
  timer_.expires_after(std::chrono::milliseconds(timeout_ms));
  timer_.async_wait(
      [this, alive = std::weak_ptr<const bool>(alive_)](const boost::system::error_code& error) {
        if (error || alive.expired()) {
          return;
        }
        onTimeout();
      });
}

void HttpClient::onTimeout() {
  act(CURL_SOCKET_TIMEOUT, 0);
}

void HttpClient::act(curl_socket_t socket, int events) {
  int running = 0;
  if (CURLMcode code = curl_multi_socket_action(multi_.get(), socket, events, &running);
      code != CURLM_OK) {
    spdlog::error("curl_multi_socket_action failed code={} error={}", static_cast<int>(code),
                  curl_multi_strerror(code));
  }
  collectFinished();
}

void HttpClient::collectFinished() {
  int queued = 0;
  while (CURLMsg* message = curl_multi_info_read(multi_.get(), &queued)) {
    if (message->msg != CURLMSG_DONE) {
      continue;
    }
    // The message is invalid once its handle is removed: copy what we need first.
    CURL* easy = message->easy_handle;
    const CURLcode code = message->data.result;
    curl_multi_remove_handle(multi_.get(), easy);

    auto found = transfers_.find(easy);
    if (found == transfers_.end()) {
      continue;
    }
    if (found->second->diedOnAReusedConnection(code) && resendFresh(*found->second)) {
      continue;
    }
    std::unique_ptr<Transfer> transfer = std::move(found->second);
    transfers_.erase(found);
    DeliveryResult result = transfer->finish(code);
    complete(transfer->takeCompletion(), std::move(result));
    if (code == CURLE_OK) {
      keepForReuse(transfer->takeEasy());
    }
  }
}

bool HttpClient::resendFresh(Transfer& transfer) {
  transfer.prepareFreshResend();
  if (curl_multi_add_handle(multi_.get(), transfer.easy()) != CURLM_OK) {
    return false;  // ends with the original failure, as a retried network error
  }
  ++fresh_resends_;
  spdlog::debug(
      "a pooled connection was closed by the receiver before it answered; request sent "
      "again on a new connection");
  return true;
}

void HttpClient::keepForReuse(CurlEasy easy) {
  // Only handles that ended well: one whose lookup was abandoned (B11) or whose transfer broke
  // is let go rather than trusted with the next attempt. Each holds some 30 KiB, so the pool
  // is capped; past the cap a burst pays for new handles again.
  constexpr std::size_t kMaxIdleEasies = 128;
  if (!easy || closing_ || idle_easies_.size() >= kMaxIdleEasies) {
    return;
  }
  curl_easy_reset(easy.get());
  idle_easies_.push_back(std::move(easy));
}

void HttpClient::fail(std::unique_ptr<Transfer> transfer, CURLcode code) {
  DeliveryResult result = transfer->finish(code);
  complete(transfer->takeCompletion(), std::move(result));
}

void HttpClient::complete(Completion done, DeliveryResult result) {
  // Posted, so a completion never runs inside send() or inside a curl call, and may itself
  // send again or destroy the client.
  boost::asio::post(io_, [alive = std::weak_ptr<const bool>(alive_), done = std::move(done),
                          result = std::move(result)]() mutable {
    if (alive.expired() || !done) {
      return;
    }
    done(std::move(result));
  });
}

}  // namespace hookline
