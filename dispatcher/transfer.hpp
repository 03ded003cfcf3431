#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include <curl/curl.h>

#include "common/network_policy.hpp"
#include "dispatcher/curl_handles.hpp"
#include "dispatcher/delivery.hpp"
#include "dispatcher/http_client.hpp"

namespace hookline {

// One HTTP attempt. It owns the easy handle and everything the handle points into (request
// body, header list, error buffer), so nothing curl reads or writes can dangle while the handle
// lives; the handle is declared last and so is cleaned up first.
//
// Threading: the io thread of the HttpClient that made it. Must be removed from the multi
// handle before it is destroyed.
class Transfer {
 public:
  using Completion = HttpClient::Completion;

  Transfer(DeliveryRequest request, Completion done);
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  // Sets up the easy handle for a POST of the request: `reused`, a handle curl_easy_reset()
  // cleared (it keeps its buffers, saving their allocation), or a new one when null. Anything
  // but CURLE_OK means the request cannot be sent; finish() with that code then describes why.
  // `ca_trust` is the PEM bundle of trusted CAs ("" for curl's defaults); the handle points
  // into it. `ca_trust`, `network` and `resolve` (may be null) must outlive the transfer.
  CURLcode configure(CurlEasy reused, const HttpClientOptions& options, const std::string& ca_trust,
                     const NetworkPolicy& network, curl_slist* resolve);
  // Marks the hand-off to curl; the result's duration is measured from here.
  void markStarted() { started_ = std::chrono::steady_clock::now(); }
  // Records a reason for a failure that happened outside curl's own error buffer.
  void setError(const std::string& message);

  // Whether the address guard refused an address of this transfer, and the last such refusal.
  bool blocked() const { return !blocked_reason_.empty(); }
  const std::string& blockedReason() const { return blocked_reason_; }

  // Whether a transfer that ended with `code` died on a connection taken from the pool before
  // any byte of an answer, and has not been sent again yet: the receiver had closed that
  // connection (libcurl 7.88 cannot tell a TLS connection closed with close_notify from a
  // live one, B10), so the request never reached it and may go once more on a new connection.
  bool diedOnAReusedConnection(CURLcode code) const;
  // Readies the handle (removed from the multi handle) to send the same request again on a
  // new connection; the answer state starts afresh.
  void prepareFreshResend();

  // The outcome once curl reports `code` for this transfer.
  DeliveryResult finish(CURLcode code) const;
  Completion takeCompletion() { return std::move(done_); }
  CURL* easy() const { return easy_.get(); }
  // Gives up the handle once curl is done with it (removed from the multi handle).
  CurlEasy takeEasy() { return std::move(easy_); }

 private:
  bool buildHeaders();
  void onHeaderLine(std::string_view line);

  static std::size_t onHeader(char* data, std::size_t size, std::size_t count, void* self) noexcept;
  static std::size_t onBody(char* data, std::size_t size, std::size_t count, void* self) noexcept;
  // The address guard: called by curl for every socket it is about to connect, after name
  // resolution, whatever name, redirect or --resolve entry produced the address.
  static curl_socket_t onOpenSocket(void* self, curlsocktype purpose,
                                    curl_sockaddr* address) noexcept;

  DeliveryRequest request_;
  Completion done_;
  CurlSlist headers_;
  std::array<char, CURL_ERROR_SIZE> error_{};
  std::string retry_after_;
  std::size_t response_bytes_ = 0;  // read and dropped
  bool answered_ = false;           // a header line of an answer arrived
  bool resent_fresh_ = false;       // already sent again on a new connection
  std::chrono::steady_clock::time_point started_{};
  const NetworkPolicy* network_ = nullptr;
  std::string blocked_reason_;
  CurlEasy easy_;
};

}  // namespace hookline
