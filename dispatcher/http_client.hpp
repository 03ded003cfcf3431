#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <curl/curl.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/expected.hpp"
#include "common/ip_address.hpp"
#include "common/network_policy.hpp"
#include "dispatcher/curl_handles.hpp"
#include "dispatcher/delivery.hpp"

namespace hookline {

class Transfer;

struct HttpClientOptions {
  std::string user_agent = std::string("hookline/") + HOOKLINE_VERSION;
  long max_total_connections = 0;  // CURLMOPT_MAX_TOTAL_CONNECTIONS, 0 = unlimited
  // Extra trusted CAs (PEM), added to the default ones (see ca_trust.hpp); empty = none.
  std::string ca_file;
  // The bundle ca_file is added to; empty = libcurl's built-in one. Tests set it to stand in
  // for the system's CAs.
  std::string default_ca_file;
  // --allow-network: non-public ranges deliveries may still connect to (DESIGN.md section 4).
  // Every other non-public address is refused by the connect-time guard.
  std::vector<CidrRange> allow_networks;
  // Fixed answers for host names, in curl's --resolve form "HOST:PORT:ADDRESS[,ADDRESS]"
  // (CURLOPT_RESOLVE); for tests and special setups. The guard still judges the address.
  std::vector<std::string> resolve;
};

// "HOST:PORT:ADDRESS[,ADDRESS...]", the form of HttpClientOptions::resolve entries.
bool isResolveEntry(const std::string& entry);

// Whether this libcurl can drive deliveries: it needs an asynchronous resolver (without one a
// lookup blocks the io thread, and its timeout relies on SIGALRM and a long jump, B11) and TLS.
// The first HttpClient refuses to start otherwise.
Status checkLibcurl(const curl_version_info_data& info);

// Sends deliveries with libcurl's multi interface, driven by an Asio io_context: curl announces
// the sockets it wants watched and when its timer is due, Asio waits, and each readiness is
// handed back through curl_multi_socket_action. No thread per request and no polling loop.
// Connections are pooled by the one multi handle and reused across sends.
//
// Every new connection passes the address guard first (Transfer's open-socket callback): the
// address curl is about to connect to must be public or in allow_networks, whatever name or
// redirect led there, so a name re-pointed inside after registration (DNS rebinding) is stopped.
// Environment proxies are ignored, since through a proxy the guard would only see the proxy.
//
// Threading: the client belongs to the thread running `io`; every member function, and the
// destructor, must be called there. Nothing inside is locked.
class HttpClient {
 public:
  using Completion = std::function<void(DeliveryResult)>;

  // Throws std::runtime_error when libcurl lacks asynchronous DNS or TLS, when the multi
  // handle cannot be created, a CA file cannot be read or a `resolve` entry is malformed
  // (start-up only).
  HttpClient(boost::asio::io_context& io, HttpClientOptions options);
  // Aborts unfinished transfers without calling their completions. No completion runs after
  // this returns, not even one whose transfer had already finished.
  ~HttpClient();

  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Starts one POST. `done` runs exactly once, later, on the io thread, and never from inside
  // send(); it may call send() again and may destroy the client.
  void send(DeliveryRequest request, Completion done);

  // Transfers handed to curl whose outcome is not known yet.
  std::size_t inFlight() const { return transfers_.size(); }
  // Requests sent again on a new connection because a pooled one had died before any answer.
  std::uint64_t freshResends() const { return fresh_resends_; }
  // Reset easy handles kept for the next sends.
  std::size_t idleHandles() const { return idle_easies_.size(); }
  // Sockets curl announced that could not be watched (each also logged at warn); a transfer
  // on such a socket ends at its timeout.
  std::uint64_t socketWatchFailures() const { return socket_watch_failures_; }

 private:
  struct SocketWatch;
  enum class Direction { Read, Write };

  // C callbacks from curl: they only record what curl wants and arm waits; they never call
  // back into curl.
  static int onSocket(CURL* easy, curl_socket_t socket, int what, void* self,
                      void* socket_data) noexcept;
  static int onTimer(CURLM* multi, long timeout_ms, void* self) noexcept;

  void watchSocket(curl_socket_t socket, int what);
  void forgetSocket(curl_socket_t socket);
  void armWaits(const std::shared_ptr<SocketWatch>& watch);
  void startWait(const std::shared_ptr<SocketWatch>& watch, Direction direction);
  void onSocketReady(const std::weak_ptr<SocketWatch>& weak, Direction direction,
                     const boost::system::error_code& error);
  void scheduleTimeout(long timeout_ms);
  void onTimeout();
  void act(curl_socket_t socket, int events);
  void collectFinished();
  void fail(std::unique_ptr<Transfer> transfer, CURLcode code);
  void complete(Completion done, DeliveryResult result);
  // Sends a transfer whose pooled connection died before any answer once more, on a new
  // connection; false when curl refuses it back (it then ends with its failure).
  bool resendFresh(Transfer& transfer);
  // Keeps the easy handle of a transfer that ended well, reset, for the next send.
  void keepForReuse(CurlEasy easy);

  boost::asio::io_context& io_;
  HttpClientOptions options_;
  // The trusted CAs as one PEM bundle; "" leaves curl's defaults. Easy handles point into it
  // (CURL_BLOB_NOCOPY), so it lives as long as the client and never changes.
  std::string ca_trust_;
  NetworkPolicy network_;
  CurlSlist resolve_;  // options_.resolve for CURLOPT_RESOLVE; null when empty
  boost::asio::steady_timer timer_;
  bool timeout_posted_ = false;
  bool closing_ = false;  // set by the destructor: callbacks from here on only release sockets
  std::uint64_t socket_watch_failures_ = 0;
  std::uint64_t fresh_resends_ = 0;
  std::unordered_map<curl_socket_t, std::shared_ptr<SocketWatch>> sockets_;
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> transfers_;
  // Reset easy handles ready for the next send: a new handle costs tens of kilobytes of
  // allocations (curl's state and receive buffer), a reset one none.
  std::vector<CurlEasy> idle_easies_;
  CurlMulti multi_;
  // Handlers queued on `io` hold a weak copy; once the client is gone they do nothing.
  std::shared_ptr<const bool> alive_ = std::make_shared<const bool>(true);
};

}  // namespace hookline
