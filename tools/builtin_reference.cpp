#include <atomic>
#include <memory>
#include <regex>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "tools/http_reference.hpp"

namespace hookline {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;

struct LoadCounters {
  std::atomic<std::size_t> requests{0};
  std::atomic<std::size_t> errors{0};
};

// One keep-alive connection sending the same request again and again until the deadline.
// Runs on its io_context's thread; owned by the shared_ptr its handlers hold.
class LoadConnection : public std::enable_shared_from_this<LoadConnection> {
 public:
  LoadConnection(asio::io_context& io, const http::request<http::string_body>& request,
                 std::chrono::steady_clock::time_point deadline, LoadCounters& counters)
      : stream_(io), request_(request), deadline_(deadline), counters_(counters) {}

  void start(const asio::ip::tcp::endpoint& endpoint) {
    stream_.async_connect(endpoint, [self = shared_from_this()](beast::error_code error) {
      if (error) {
        ++self->counters_.errors;
        return;
      }
      self->sendNext();
    });
  }

 private:
  void sendNext() {
    if (std::chrono::steady_clock::now() >= deadline_) {
      return;
    }
    http::async_write(stream_, request_,
                      [self = shared_from_this()](beast::error_code error, std::size_t) {
                        if (error) {
                          ++self->counters_.errors;
                          return;
                        }
                        self->readAnswer();
                      });
  }

  void readAnswer() {
    response_ = {};
    http::async_read(stream_, buffer_, response_,
                     [self = shared_from_this()](beast::error_code error, std::size_t) {
                       if (error) {
                         ++self->counters_.errors;
                         return;
                       }
                       if (self->response_.result_int() / 100 == 2) {
                         ++self->counters_.requests;
                       } else {
                         ++self->counters_.errors;
                       }
                       if (!self->response_.keep_alive()) {
                         return;  // the receiver closes: this connection is done
                       }
                       self->sendNext();
                     });
  }

  beast::tcp_stream stream_;
  const http::request<http::string_body>& request_;
  std::chrono::steady_clock::time_point deadline_;
  LoadCounters& counters_;
  beast::flat_buffer buffer_;
  http::response<http::string_body> response_;
};

}  // namespace

Expected<LoopbackUrl> parseLoopbackUrl(const std::string& url) {
  std::smatch match;
  if (!std::regex_match(url, match, std::regex(R"(http://(127\.\d+\.\d+\.\d+):(\d+)(/.*)?)"))) {
    return Error{"not an http://127.x.y.z:PORT/ URL: " + url};
  }
  LoopbackUrl parsed;
  parsed.host = match[1];
  const int port = std::stoi(match[2]);
  if (port <= 0 || port > 65535) {
    return Error{"bad port in " + url};
  }
  parsed.port = static_cast<unsigned short>(port);
  parsed.path = match[3].matched ? std::string(match[3]) : "/";
  return parsed;
}

Expected<ReferenceResult> runBuiltinReference(const ReferencePlan& plan) {
  auto url = parseLoopbackUrl(plan.url);
  if (!url) {
    return url.error();
  }
  boost::system::error_code error;
  const asio::ip::tcp::endpoint endpoint(asio::ip::make_address(url->host, error), url->port);
  if (error) {
    return Error{"bad address " + url->host};
  }
  http::request<http::string_body> request{http::verb::post, url->path, 11};
  request.set(http::field::host, url->host + ":" + std::to_string(url->port));
  request.set(http::field::content_type, "application/json");
  request.keep_alive(true);
  request.body() = plan.body;
  request.prepare_payload();

  const int threads = std::max(1, plan.threads);
  const auto started = std::chrono::steady_clock::now();
  const auto deadline = started + plan.duration;
  LoadCounters counters;
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  for (int i = 0; i < threads; ++i) {
    contexts.push_back(std::make_unique<asio::io_context>(1));
  }
  for (int i = 0; i < plan.connections; ++i) {
    std::make_shared<LoadConnection>(*contexts[static_cast<std::size_t>(i % threads)], request,
                                     deadline, counters)
        ->start(endpoint);
  }
  // Each io_context runs out of work once its connections pass the deadline; run_until bounds
  // it even if an answer never comes.
  std::vector<std::thread> runners;
  for (auto& io : contexts) {
    runners.emplace_back([&io, deadline] { io->run_until(deadline + std::chrono::seconds(5)); });
  }
  for (auto& runner : runners) {
    runner.join();
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  ReferenceResult result;
  result.tool = "builtin";
  result.requests = counters.requests.load();
  result.errors = counters.errors.load();
  result.requests_per_s = static_cast<double>(result.requests) /
                          std::min(seconds, std::chrono::duration<double>(plan.duration).count());
  return result;
}

}  // namespace hookline
