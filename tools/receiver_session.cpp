#include "tools/receiver_session.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace hookline::detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;
using ErrorCode = boost::system::error_code;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

constexpr auto kTlsHandshakeTimeout = std::chrono::seconds(10);
constexpr auto kWriteTimeout = std::chrono::seconds(30);
constexpr auto kDrainTimeout = std::chrono::seconds(2);
constexpr std::size_t kMaxDrainBytes = 8 << 20;

std::string lowercase(std::string_view text) {
  std::string lowered(text);
  std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lowered;
}

// One connection: read a request, answer it as the handler says, repeat while kept alive.
// Each pending operation holds the session through shared_from_this.
template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(const ReceiverSessionContext& context, Stream stream)
      : context_(context), stream_(std::move(stream)), timer_(stream_.get_executor()) {}

  void start() {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      beast::get_lowest_layer(stream_).expires_after(kTlsHandshakeTimeout);
      stream_.async_handshake(ssl::stream_base::server,
                              [self = this->shared_from_this()](const ErrorCode& error) {
                                if (!error) {
                                  self->readRequest();
                                }
                              });
    } else {
      readRequest();
    }
  }

 private:
  void readRequest() {
    parser_.emplace();
    parser_->body_limit(context_.max_body);
    beast::get_lowest_layer(stream_).expires_after(context_.idle_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](const ErrorCode& error, std::size_t) {
                       self->onRead(error);
                     });
  }

  void onRead(const ErrorCode& error) {
    beast::get_lowest_layer(stream_).expires_never();
    if (error == http::error::body_limit) {
      ReceiverReply too_large;
      too_large.status = 413;
      too_large.close_connection = true;
      keep_alive_ = false;
      answer(std::move(too_large));
      return;
    }
    if (error) {
      close();  // the peer left, timed out or sent garbage
      return;
    }

    const auto& message = parser_->get();
    ReceivedRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    for (const auto& field : message) {
      request.headers.emplace_back(lowercase(field.name_string()), std::string(field.value()));
    }
    request.body = message.body();
    request.received_at = std::chrono::system_clock::now();
    keep_alive_ = message.keep_alive();
    answer(context_.receive(std::move(request)));
  }

  void answer(ReceiverReply reply) {
    reply_ = std::move(reply);
    if (reply_.reset_connection) {
      reset();
      return;
    }
    if (reply_.hang) {
      // Held open by this wait until stop() destroys the io_context.
      timer_.expires_at(asio::steady_timer::time_point::max());
      timer_.async_wait([self = this->shared_from_this()](const ErrorCode&) {});
      return;
    }
    if (reply_.delay.count() > 0) {
      timer_.expires_after(reply_.delay);
      timer_.async_wait([self = this->shared_from_this()](const ErrorCode& error) {
        if (!error) {
          self->writeReply();
        }
      });
      return;
    }
    writeReply();
  }

  void writeReply() {
    if (reply_.close_connection) {
      keep_alive_ = false;
    }
    const bool trickle = reply_.trickle_chunk > 0 && reply_.trickle_interval.count() > 0;
    response_ = {};
    response_.result(static_cast<unsigned>(reply_.status));
    response_.version(11);
    for (const auto& [name, value] : reply_.headers) {
      response_.insert(name, value);
    }
    response_.keep_alive(keep_alive_);
    if (trickle) {
      // Only the header now; the body follows in pieces from writeNextPiece().
      response_.content_length(reply_.body.size());
    } else {
      response_.body() = reply_.body;
      response_.prepare_payload();
    }

    beast::get_lowest_layer(stream_).expires_after(kWriteTimeout);
    serializer_.emplace(response_);
    auto done = [self = this->shared_from_this(), trickle](const ErrorCode& error, std::size_t) {
      if (error) {
        self->close();
      } else if (trickle) {
        self->trickled_ = 0;
        self->writeNextPiece();
      } else {
        self->onReplyWritten();
      }
    };
    if (trickle) {
      http::async_write_header(stream_, *serializer_, std::move(done));
    } else {
      http::async_write(stream_, *serializer_, std::move(done));
    }
  }

  void writeNextPiece() {
    if (trickled_ >= reply_.body.size()) {
      onReplyWritten();
      return;
    }
    const std::size_t size = std::min(reply_.trickle_chunk, reply_.body.size() - trickled_);
    beast::get_lowest_layer(stream_).expires_after(kWriteTimeout);
    asio::async_write(stream_, asio::buffer(reply_.body.data() + trickled_, size),
                      [self = this->shared_from_this()](const ErrorCode& error, std::size_t n) {
                        if (error) {
                          self->close();
                          return;
                        }
                        self->trickled_ += n;
                        beast::get_lowest_layer(self->stream_).expires_never();
                        self->timer_.expires_after(self->reply_.trickle_interval);
                        self->timer_.async_wait([self](const ErrorCode& wait_error) {
                          if (!wait_error) {
                            self->writeNextPiece();
                          }
                        });
                      });
  }

  void onReplyWritten() {
    beast::get_lowest_layer(stream_).expires_never();
    serializer_.reset();
    if (!keep_alive_ || reply_.half_close) {
      close();
      return;
    }
    readRequest();
  }

  // Graceful: TLS close_notify where there is TLS; then a half-close, and whatever the peer
  // still sends (the rest of an oversized body, say) is read and dropped for a bounded time so
  // that closing does not reset the connection before the peer has read our answer.
  void close() {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      beast::get_lowest_layer(stream_).expires_after(kTlsHandshakeTimeout);
      stream_.async_shutdown(
          [self = this->shared_from_this()](const ErrorCode&) { self->drainThenClose(); });
    } else {
      drainThenClose();
    }
  }

  void drainThenClose() {
    auto& lowest = beast::get_lowest_layer(stream_);
    ErrorCode ignored;
    lowest.socket().shutdown(tcp::socket::shutdown_send, ignored);
    lowest.expires_after(kDrainTimeout);
    drainSome();
  }

  void drainSome() {
    beast::get_lowest_layer(stream_).async_read_some(
        asio::buffer(drain_),
        [self = this->shared_from_this()](const ErrorCode& error, std::size_t n) {
          self->drained_ += n;
          if (error || self->drained_ > kMaxDrainBytes) {
            beast::get_lowest_layer(self->stream_).close();
            return;
          }
          self->drainSome();
        });
  }

  // Abortive: a zero linger makes close() send RST instead of FIN.
  void reset() {
    auto& socket = beast::get_lowest_layer(stream_).socket();
    ErrorCode ignored;
    socket.set_option(asio::socket_base::linger(true, 0), ignored);
    beast::get_lowest_layer(stream_).close();
  }

  const ReceiverSessionContext& context_;
  Stream stream_;
  asio::steady_timer timer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  std::optional<http::response_serializer<http::string_body>> serializer_;
  ReceiverReply reply_;
  std::size_t trickled_ = 0;
  std::array<char, 4096> drain_{};
  std::size_t drained_ = 0;
  bool keep_alive_ = true;
};

}  // namespace

void startReceiverSession(const ReceiverSessionContext& context, tcp::socket socket,
                          ssl::context* tls) {
  if (tls != nullptr) {
    std::make_shared<Session<TlsStream>>(context, TlsStream(std::move(socket), *tls))->start();
  } else {
    std::make_shared<Session<beast::tcp_stream>>(context, beast::tcp_stream(std::move(socket)))
        ->start();
  }
}

}  // namespace hookline::detail
