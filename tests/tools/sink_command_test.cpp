#include <chrono>
#include <exception>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "tools/commands.hpp"
#include "tools/local_redis.hpp"

namespace hookline {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;

// Parses and runs `hookline <args>` with only the sink registered.
void runCli(std::vector<std::string> args) {
  CLI::App app;
  CommonOptions common;
  addSinkCommand(app, common);
  args.insert(args.begin(), "hookline");
  std::vector<const char*> argv;
  for (const auto& arg : args) {
    argv.push_back(arg.c_str());
  }
  app.parse(static_cast<int>(argv.size()), argv.data());
}

// Posts one delivery and returns the status; 0 when the sink is not listening (yet).
unsigned postEvent(int port, const std::string& id, const std::string& body) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  beast::error_code error;
  stream.socket().connect(
      asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), static_cast<unsigned short>(port)),
      error);
  if (error) {
    return 0;
  }
  http::request<http::string_body> request{http::verb::post, "/", 11};
  request.set(http::field::host, "127.0.0.1");
  request.set("webhook-id", id);
  request.body() = body;
  request.prepare_payload();
  http::write(stream, request);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  http::read(stream, buffer, response);
  return response.result_int();
}

TEST(SinkCommandTest, PrintsEachDeliveryAndASummary) {
  const int port = freeLoopbackPort();
  ::testing::internal::CaptureStdout();
  std::exception_ptr failure;
  std::thread sink([&] {
    try {
      runCli({"sink", "--listen", "127.0.0.1:" + std::to_string(port), "--status", "202",
              "--duration", "3"});
    } catch (...) {
      failure = std::current_exception();
    }
  });

  // The sink starts on its own thread: wait (bounded) until it answers.
  unsigned first = 0;
  const auto deadline = std::chrono::steady_clock::now() + 2s;
  while (first == 0 && std::chrono::steady_clock::now() < deadline) {
    first =
        postEvent(port, "evt_1", R"({"id":"evt_1","type":"message_status","channel_id":"ch_1"})");
    if (first == 0) {
      std::this_thread::sleep_for(20ms);
    }
  }
  const unsigned second =
      postEvent(port, "evt_2", R"({"id":"evt_2","type":"message_incoming","channel_id":"ch_1"})");
  const unsigned third = postEvent(port, "evt_3", "not json");
  sink.join();
  const std::string output = ::testing::internal::GetCapturedStdout();

  EXPECT_FALSE(failure);
  EXPECT_EQ(first, 202u);
  EXPECT_EQ(second, 202u);
  EXPECT_EQ(third, 202u);
  EXPECT_NE(output.find("id=evt_1 type=message_status channel=ch_1 bytes=58"), std::string::npos)
      << output;
  EXPECT_NE(output.find("id=evt_3 type=(not json) channel=- bytes=8"), std::string::npos) << output;
  EXPECT_NE(output.find("summary requests=3 "), std::string::npos) << output;
  EXPECT_NE(output.find("  type message_status 1\n"), std::string::npos) << output;
  EXPECT_NE(output.find("  type message_incoming 1\n"), std::string::npos) << output;
  EXPECT_NE(output.find("  channel ch_1 2\n"), std::string::npos) << output;
}

TEST(SinkCommandTest, RejectsAMalformedListenAddress) {
  ::testing::internal::CaptureStderr();
  try {
    runCli({"sink", "--listen", "nowhere"});
    ADD_FAILURE() << "no error";
  } catch (const CLI::RuntimeError& error) {
    EXPECT_EQ(error.get_exit_code(), 1);
  }
  const std::string errors = ::testing::internal::GetCapturedStderr();

  EXPECT_NE(errors.find("--listen"), std::string::npos) << errors;
}

TEST(SinkCommandTest, FailsWhenThePortIsTaken) {
  const int port = freeLoopbackPort();
  asio::io_context io;
  asio::ip::tcp::acceptor taken(io, asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(),
                                                            static_cast<unsigned short>(port)));

  ::testing::internal::CaptureStderr();
  EXPECT_THROW(runCli({"sink", "--listen", "127.0.0.1:" + std::to_string(port)}),
               CLI::RuntimeError);
  const std::string errors = ::testing::internal::GetCapturedStderr();

  EXPECT_NE(errors.find("cannot listen"), std::string::npos) << errors;
}

}  // namespace
}  // namespace hookline
