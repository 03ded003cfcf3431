#include "engine/api/api_session.hpp"

#include <atomic>
#include <utility>

#include <spdlog/spdlog.h>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace hookline {
namespace {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;

constexpr std::size_t kIdleReadChunk = 4096;

// Requests of this process answered 503 because their work had no answer by its deadline.
std::atomic<std::uint64_t> missed_deadlines{0};

// True for a malformed request (Beast's HTTP parse errors), as opposed to a socket error.
bool isHttpError(const beast::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_target).category();
}

}  // namespace

ApiSession::ApiSession(net::ip::tcp::socket&& socket, std::shared_ptr<ApiRouter> router,
                       std::shared_ptr<const ApiServerOptions> options)
    : stream_(std::move(socket)),
      router_(std::move(router)),
      options_(std::move(options)),
      work_deadline_(stream_.get_executor()) {
  beast::error_code ec;
  const auto peer = stream_.socket().remote_endpoint(ec);
  if (!ec) {
    remote_ = peer.address().to_string() + ":" + std::to_string(peer.port());
  }
}

void ApiSession::start() {
  net::dispatch(stream_.get_executor(),
                beast::bind_front_handler(&ApiSession::startReadHeader, shared_from_this()));
}

void ApiSession::close() {
  net::post(stream_.get_executor(), [self = shared_from_this()] { self->shutdown(); });
}

void ApiSession::startReadHeader() {
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(options_->header_limit));
  parser_->body_limit(options_->body_limit);
  started_ = std::chrono::steady_clock::now();
  method_.clear();
  path_.clear();

  stream_.expires_after(options_->read_timeout);
  http::async_read_header(stream_, buffer_, *parser_,
                          beast::bind_front_handler(&ApiSession::onReadHeader, shared_from_this()));
}

void ApiSession::onReadHeader(error_code ec, std::size_t) {
  if (ec) {
    refuse(ec);
    return;
  }
  const auto& header = parser_->get();
  method_ = std::string(header.method_string());
  path_ = std::string(header.target().substr(0, header.target().find('?')));

  if (parser_->is_done()) {
    answer();
    return;
  }
  if (beast::iequals(header[http::field::expect], "100-continue")) {
    startContinue();
    return;
  }
  startReadBody();
}

void ApiSession::startContinue() {
  continue_ = {http::status::continue_, parser_->get().version()};
  stream_.expires_after(options_->write_timeout);
  http::async_write(stream_, continue_,
                    beast::bind_front_handler(&ApiSession::onContinue, shared_from_this()));
}

void ApiSession::onContinue(error_code ec, std::size_t) {
  if (ec) {
    shutdown();
    return;
  }
  startReadBody();
}

void ApiSession::startReadBody() {
  // The body gets a fresh deadline of its own.
  stream_.expires_after(options_->read_timeout);
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&ApiSession::onReadBody, shared_from_this()));
}

void ApiSession::onReadBody(error_code ec, std::size_t) {
  if (ec) {
    refuse(ec);
    return;
  }
  answer();
}

void ApiSession::answer() {
  auto request = std::make_shared<const ApiRequest>(parser_->release());
  request_version_ = request->version();
  request_keep_alive_ = request->keep_alive();
  ApiRoute route = router_->route(*request);
  if (route.answer) {
    reply(std::move(*route.answer));
    return;
  }
  startWork(std::move(request), std::move(route));
}

void ApiSession::startWork(std::shared_ptr<const ApiRequest> request, ApiRoute route) {
  const auto serial = ++work_serial_;
  const auto deadline = ApiWorkPool::Clock::now() + options_->work_deadline;
  // The answer comes back through the strand. The executor counts as work of the io_context
  // while the job is away, so that the io threads still run when the answer arrives.
  auto answer_back =
      [self = shared_from_this(), serial,
       executor = net::prefer(stream_.get_executor(), net::execution::outstanding_work.tracked)](
          ApiResponse response) {
        net::post(executor, [self, serial, response = std::move(response)]() mutable {
          self->onWorkDone(serial, std::move(response));
        });
      };
  ApiWorkPool::Job job{
      .run = [request, work = std::move(route.work),
              answer_back](ApiWorkerContext& worker) { answer_back(work(worker, *request)); },
      .deadline = deadline};
  if (!route.pool->submit(std::move(job))) {
    reply(unavailableResponse(route.unavailable_message));
    return;
  }

  awaited_ = serial;
  unavailable_message_ = route.unavailable_message;
  work_deadline_.expires_at(deadline);
  work_deadline_.async_wait(
      beast::bind_front_handler(&ApiSession::onWorkDeadline, shared_from_this(), serial));
}

void ApiSession::onWorkDone(std::uint64_t serial, ApiResponse response) {
  if (serial != awaited_) {
    return;  // answered at its deadline, or the connection was closed meanwhile
  }
  awaited_ = 0;
  work_deadline_.cancel();
  reply(std::move(response));
}

void ApiSession::onWorkDeadline(std::uint64_t serial, error_code ec) {
  if (ec || serial != awaited_) {
    return;
  }
  awaited_ = 0;
  const auto missed = missed_deadlines.fetch_add(1, std::memory_order_relaxed) + 1;
  spdlog::warn("api request unanswered at its deadline method={} path={} deadline_ms={} missed={}",
               method_, path_, options_->work_deadline.count(), missed);
  reply(unavailableResponse(unavailable_message_));
}

void ApiSession::reply(ApiResponse response) {
  response.version(request_version_);
  response.keep_alive(request_keep_alive_);
  startWrite(std::move(response), false);
}

void ApiSession::refuse(error_code ec) {
  if (ec == http::error::body_limit) {
    startWrite(errorResponse(http::status::payload_too_large, api_message::kValidation,
                             {{"body", "must be at most " + std::to_string(options_->body_limit) +
                                           " bytes"}}),
               true);
    return;
  }
  if (ec == http::error::header_limit) {
    startWrite(
        errorResponse(http::status::request_header_fields_too_large, api_message::kHeadersTooLarge),
        true);
    return;
  }
  // A client that closes between requests, or mid-request, or lets a deadline pass, gets no
  // answer: there is no one to read it, or it has had its time.
  if (ec == http::error::end_of_stream || ec == http::error::partial_message ||
      ec == beast::error::timeout || !isHttpError(ec)) {
    if (ec == beast::error::timeout) {
      spdlog::debug("api connection timed out remote={}", remote_);
    }
    shutdown();
    return;
  }
  startWrite(errorResponse(http::status::bad_request, api_message::kBadRequest), true);
}

void ApiSession::startWrite(ApiResponse response, bool refused) {
  if (refused) {
    response.keep_alive(false);
  }
  drain_after_write_ = refused;
  logRequest(response.result_int());
  response_.emplace(std::move(response));

  stream_.expires_after(options_->write_timeout);
  http::async_write(stream_, *response_,
                    beast::bind_front_handler(&ApiSession::onWrite, shared_from_this()));
}

void ApiSession::onWrite(error_code ec, std::size_t) {
  const bool keep_alive = response_->keep_alive();
  response_.reset();
  if (ec) {
    shutdown();
    return;
  }
  if (drain_after_write_) {
    startDrain();
    return;
  }
  if (!keep_alive) {
    shutdown();
    return;
  }
  startIdleWait();
}

void ApiSession::startIdleWait() {
  // A pipelined request may already be buffered; otherwise wait, under the idle timeout,
  // for the first byte of the next one before its read deadline starts.
  if (buffer_.size() > 0) {
    startReadHeader();
    return;
  }
  stream_.expires_after(options_->idle_timeout);
  stream_.async_read_some(buffer_.prepare(kIdleReadChunk),
                          beast::bind_front_handler(&ApiSession::onIdleData, shared_from_this()));
}

void ApiSession::onIdleData(error_code ec, std::size_t bytes) {
  if (ec) {
    shutdown();
    return;
  }
  buffer_.commit(bytes);
  startReadHeader();
}

void ApiSession::startDrain() {
  error_code ignored;
  stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
  drained_ = 0;
  stream_.expires_after(options_->drain_timeout);
  stream_.async_read_some(net::buffer(drain_buffer_),
                          beast::bind_front_handler(&ApiSession::onDrain, shared_from_this()));
}

void ApiSession::onDrain(error_code ec, std::size_t bytes) {
  drained_ += bytes;
  if (ec || drained_ > options_->drain_limit) {
    shutdown();
    return;
  }
  stream_.async_read_some(net::buffer(drain_buffer_),
                          beast::bind_front_handler(&ApiSession::onDrain, shared_from_this()));
}

void ApiSession::shutdown() {
  awaited_ = 0;
  work_deadline_.cancel();
  error_code ignored;
  stream_.socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
  stream_.close();
}

void ApiSession::logRequest(unsigned status) const {
  // The path only: a query string could carry something a client should not have sent.
  const auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - started_);
  spdlog::debug("api request method={} path={} status={} duration_us={} remote={}",
                method_.empty() ? "-" : method_, path_.empty() ? "-" : path_, status,
                elapsed.count(), remote_);
}

}  // namespace hookline
