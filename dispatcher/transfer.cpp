#include "dispatcher/transfer.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <utility>

namespace hookline {
namespace {

// A Retry-After longer than this is not a date or a number of seconds; it is cut, not stored.
constexpr std::size_t kMaxRetryAfterLength = 128;

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    return {};
  }
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

// A header name or value that could end the header line early and smuggle another one in.
bool breaksHeaderLine(std::string_view text) {
  return text.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

}  // namespace

Transfer::Transfer(DeliveryRequest request, Completion done)
    : request_(std::move(request)), done_(std::move(done)) {}

void Transfer::setError(const std::string& message) {
  std::snprintf(error_.data(), error_.size(), "%s", message.c_str());
}

CURLcode Transfer::configure(CurlEasy reused, const HttpClientOptions& options,
                             const std::string& ca_trust, const NetworkPolicy& network,
                             curl_slist* resolve) {
  network_ = &network;
  easy_ = reused ? std::move(reused) : CurlEasy(curl_easy_init());
  if (!easy_) {
    setError("curl_easy_init failed");
    return CURLE_FAILED_INIT;
  }
  if (!buildHeaders()) {
    return CURLE_BAD_FUNCTION_ARGUMENT;
  }

  // curl copies string options; the body, the header list and the error buffer it only points
  // to, which is why they live in this object.
  CURL* easy = easy_.get();
  const char* protocols = request_.allow_http ? "http,https" : "https";
  const long connect_ms = std::max<long>(1, request_.connect_timeout.count());
  const long total_ms = std::max<long>(1, request_.total_timeout.count());
  CURLcode code = CURLE_OK;
  auto set = [&](CURLoption option, auto value) {
    if (code == CURLE_OK) {
      code = curl_easy_setopt(easy, option, value);
    }
  };
  set(CURLOPT_PRIVATE, static_cast<void*>(this));
  set(CURLOPT_ERRORBUFFER, error_.data());
  set(CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075700
  // B11: when an attempt ends while its name lookup still runs (a DNS server that never
  // answers, the connect limit passed), libcurl otherwise joins the resolver thread before it
  // lets go of the handle, which blocks this io thread, and every channel on it, until
  // getaddrinfo gives up (up to 30 s per lookup). With QUICK_EXIT it leaves that thread to
  // finish and clean up on its own.
  set(CURLOPT_QUICK_EXIT, 1L);
#else
  // TODO: libcurl before 7.87 cannot leave a stuck lookup behind; a DNS server that never
  // answers then stalls this io thread for the system resolver's timeout (B11).
#endif
  set(CURLOPT_URL, request_.url.c_str());
  set(CURLOPT_PROTOCOLS_STR, protocols);
  set(CURLOPT_REDIR_PROTOCOLS_STR, protocols);
  set(CURLOPT_FOLLOWLOCATION, 0L);
  // A proxy from the environment would make the guard judge the proxy, not the receiver.
  set(CURLOPT_PROXY, "");
  set(CURLOPT_OPENSOCKETFUNCTION, static_cast<curl_opensocket_callback>(&Transfer::onOpenSocket));
  set(CURLOPT_OPENSOCKETDATA, static_cast<void*>(this));
  if (resolve != nullptr) {
    set(CURLOPT_RESOLVE, resolve);
  }
  set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request_.body.size()));
  set(CURLOPT_POSTFIELDS, request_.body.data());
  set(CURLOPT_HTTPHEADER, headers_.get());
  set(CURLOPT_USERAGENT, options.user_agent.c_str());
  set(CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
  set(CURLOPT_TIMEOUT_MS, total_ms);
  set(CURLOPT_SSL_VERIFYPEER, 1L);
  set(CURLOPT_SSL_VERIFYHOST, 2L);
  set(CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  if (!ca_trust.empty()) {
    // Not CURLOPT_CAINFO: that would replace the default CAs rather than add to them.
    curl_blob blob{const_cast<char*>(ca_trust.data()), ca_trust.size(), CURL_BLOB_NOCOPY};
    set(CURLOPT_CAINFO_BLOB, &blob);
  }
  set(CURLOPT_TCP_KEEPALIVE, 1L);
  set(CURLOPT_HEADERFUNCTION, static_cast<curl_write_callback>(&Transfer::onHeader));
  set(CURLOPT_HEADERDATA, static_cast<void*>(this));
  set(CURLOPT_WRITEFUNCTION, static_cast<curl_write_callback>(&Transfer::onBody));
  set(CURLOPT_WRITEDATA, static_cast<void*>(this));
  return code;
}

bool Transfer::buildHeaders() {
  bool has_content_type = false;
  bool has_expect = false;
  curl_slist* list = nullptr;
  auto append = [&](const std::string& line) {
    curl_slist* grown = curl_slist_append(list, line.c_str());
    if (grown == nullptr) {
      return false;
    }
    list = grown;
    return true;
  };

  bool ok = true;
  for (const auto& [name, value] : request_.headers) {
    if (name.empty() || name.find(':') != std::string::npos || breaksHeaderLine(name) ||
        breaksHeaderLine(value)) {
      setError("request header '" + name.substr(0, 64) + "' is malformed");
      ok = false;
      break;
    }
    has_content_type = has_content_type || equalsIgnoringCase(name, "content-type");
    has_expect = has_expect || equalsIgnoringCase(name, "expect");
    // "Name;" is curl's spelling of a header sent with an empty value.
    ok = append(value.empty() ? name + ";" : name + ": " + value);
    if (!ok) {
      setError("out of memory building the header list");
      break;
    }
  }
  if (ok && !has_content_type) {
    ok = append("Content-Type: application/json");
  }
  if (ok && !has_expect) {
    ok = append("Expect:");  // no 100-continue round trip before the body
  }
  headers_.reset(list);
  return ok;
}

DeliveryResult Transfer::finish(CURLcode code) const {
  DeliveryResult result;
  if (started_ != std::chrono::steady_clock::time_point{}) {
    result.duration = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - started_);
  }
  if (code == CURLE_OK) {
    long status = 0;
    curl_easy_getinfo(easy_.get(), CURLINFO_RESPONSE_CODE, &status);
    result.http_status = static_cast<int>(status);
    result.retry_after = retry_after_;
    return result;
  }
  result.curl_code = static_cast<int>(code);
  result.error = error_[0] != '\0' ? std::string(error_.data()) : curl_easy_strerror(code);
  if (blocked()) {
    result.blocked = true;
    result.error = blocked_reason_;
  }
  return result;
}

bool Transfer::diedOnAReusedConnection(CURLcode code) const {
  if (resent_fresh_ || answered_ || blocked() ||
      (code != CURLE_SEND_ERROR && code != CURLE_RECV_ERROR && code != CURLE_GOT_NOTHING)) {
    return false;
  }
  long new_connections = -1;
  curl_easy_getinfo(easy_.get(), CURLINFO_NUM_CONNECTS, &new_connections);
  return new_connections == 0;
}

void Transfer::prepareFreshResend() {
  resent_fresh_ = true;
  retry_after_.clear();
  response_bytes_ = 0;
  error_[0] = '\0';
  curl_easy_setopt(easy_.get(), CURLOPT_FRESH_CONNECT, 1L);
}

void Transfer::onHeaderLine(std::string_view line) {
  answered_ = true;
  // A new status line starts a new response (an interim 1xx, say): forget the earlier headers.
  if (line.substr(0, 5) == "HTTP/") {
    retry_after_.clear();
    return;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos ||
      !equalsIgnoringCase(line.substr(0, colon), "retry-after")) {
    return;
  }
  retry_after_ = std::string(trim(line.substr(colon + 1)).substr(0, kMaxRetryAfterLength));
}

std::size_t Transfer::onHeader(char* data, std::size_t size, std::size_t count,
                               void* self) noexcept {
  const std::size_t bytes = size * count;
  try {
    static_cast<Transfer*>(self)->onHeaderLine(std::string_view(data, bytes));
  } catch (...) {
    return 0;  // out of memory: curl ends the transfer with CURLE_WRITE_ERROR
  }
  return bytes;
}

curl_socket_t Transfer::onOpenSocket(void* self, curlsocktype purpose,
                                     curl_sockaddr* address) noexcept {
  auto* transfer = static_cast<Transfer*>(self);
  try {
    const auto ip = addressFromSockaddr(&address->addr);
    if (!ip) {
      transfer->blocked_reason_ = "address guard: not an IP address";
      return CURL_SOCKET_BAD;
    }
    const auto verdict = transfer->network_->judge(*ip);
    if (!verdict.allowed) {
      transfer->blocked_reason_ = "address guard: " + ip->toString() + " is not public (" +
                                  verdict.judgement.describe() + ")";
      return CURL_SOCKET_BAD;
    }
  } catch (...) {
    return CURL_SOCKET_BAD;  // out of memory: refusing is the safe side
  }
  (void)purpose;
  return ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

std::size_t Transfer::onBody(char* data, std::size_t size, std::size_t count, void* self) noexcept {
  // The receiver's body is not needed: it is counted and dropped, so memory stays bounded
  // however much is sent (the total timeout bounds the time).
  const std::size_t bytes = size * count;
  static_cast<Transfer*>(self)->response_bytes_ += bytes;
  return bytes;
}

}  // namespace hookline
