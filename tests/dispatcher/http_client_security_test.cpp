// TLS verification, the address guard and the protocols a delivery may use.
#include "dispatcher/http_client.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <curl/curl.h>
#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

#include "dispatcher/ca_trust.hpp"
#include "dispatcher/outcome.hpp"
#include "dispatcher/transfer.hpp"
#include "tests/support/connection_counter.hpp"
#include "tests/support/http_client_fixture.hpp"
#include "tests/support/test_pki.hpp"
#include "tools/local_redis.hpp"
#include "tools/receiver_server.hpp"

namespace hookline {
namespace {

using namespace std::chrono_literals;

class HttpClientSecurityTest : public HttpClientFixture {};

TEST_F(HttpClientSecurityTest, VerifiesTlsAgainstTheGivenCaFile) {
  testing::TestPki pki;
  const auto certificate = pki.issue("receiver", testing::TestPki::kLoopbackNames);
  ReceiverServer::Options tls;
  tls.tls_cert_file = certificate.cert_file;
  tls.tls_key_file = certificate.key_file;
  auto receiver = startReceiver(nullptr, tls);
  ASSERT_EQ(receiver->url("/x").rfind("https://", 0), 0u);
  HttpClientOptions trusting = loopbackOptions();
  trusting.ca_file = pki.caFile();
  HttpClient trusting_client(io_, trusting);
  DeliveryRequest request = requestTo(receiver->url("/x"));
  request.allow_http = false;

  const DeliveryResult trusted = sendAndWait(request, &trusting_client);
  const DeliveryResult untrusted = sendAndWait(request);

  EXPECT_EQ(trusted.curl_code, 0) << trusted.error;
  EXPECT_EQ(trusted.http_status, 200);
  EXPECT_EQ(untrusted.curl_code, CURLE_PEER_FAILED_VERIFICATION) << untrusted.error;
  EXPECT_EQ(receiver->count(), 1u);
}

// --ca-file must add to the CAs trusted by default, not replace them (CURLOPT_CAINFO alone
// would). A second test CA stands in for the system's bundle.
TEST_F(HttpClientSecurityTest, CaFileAddsToTheDefaultCasInsteadOfReplacingThem) {
  testing::TestPki system_pki("stand-in system CA");
  testing::TestPki extra_pki("operator's extra CA");
  testing::TestPki unknown_pki("unknown CA");
  auto receiverSignedBy = [&](testing::TestPki& pki) {
    const auto certificate = pki.issue("receiver", testing::TestPki::kLoopbackNames);
    ReceiverServer::Options tls;
    tls.tls_cert_file = certificate.cert_file;
    tls.tls_key_file = certificate.key_file;
    return startReceiver(nullptr, tls);
  };
  auto by_system = receiverSignedBy(system_pki);
  auto by_extra = receiverSignedBy(extra_pki);
  auto by_unknown = receiverSignedBy(unknown_pki);
  HttpClientOptions options = loopbackOptions();
  options.default_ca_file = system_pki.caFile();
  options.ca_file = extra_pki.caFile();
  HttpClient client(io_, options);
  auto httpsRequest = [&](const ReceiverServer& receiver) {
    DeliveryRequest request = requestTo(receiver.url("/x"));
    request.allow_http = false;
    return request;
  };

  const DeliveryResult system = sendAndWait(httpsRequest(*by_system), &client);
  const DeliveryResult extra = sendAndWait(httpsRequest(*by_extra), &client);
  const DeliveryResult unknown = sendAndWait(httpsRequest(*by_unknown), &client);

  EXPECT_EQ(system.http_status, 200) << system.error;
  EXPECT_EQ(extra.http_status, 200) << extra.error;
  EXPECT_EQ(unknown.curl_code, CURLE_PEER_FAILED_VERIFICATION) << unknown.error;
}

TEST_F(HttpClientSecurityTest, UnreadableCaFileFailsAtStartUp) {
  HttpClientOptions options;
  options.ca_file = "/nonexistent/hookline-ca.pem";
  EXPECT_THROW(HttpClient(io_, options), std::runtime_error);
}

// --- the connect-time address guard (DESIGN.md section 4) ---

TEST_F(HttpClientSecurityTest, GuardRefusesLoopbackWithoutAnAllowList) {
  auto receiver = startReceiver();
  HttpClient guarded(io_, HttpClientOptions{});

  const DeliveryResult result = sendAndWait(requestTo(receiver->url("/x")), &guarded);

  EXPECT_TRUE(result.blocked);
  EXPECT_NE(result.curl_code, 0);
  EXPECT_EQ(result.http_status, 0);
  EXPECT_NE(result.error.find("127.0.0.1 is not public (loopback)"), std::string::npos)
      << result.error;
  EXPECT_EQ(classifyAttempt(result), AttemptOutcome::Blocked);
  EXPECT_EQ(describeResult(result).rfind("blocked: ", 0), 0u);
  EXPECT_EQ(receiver->acceptedConnections(), 0u);
}

TEST_F(HttpClientSecurityTest, GuardJudgesTheAddressANameResolvesToAtConnectTime) {
  auto receiver = startReceiver();
  testing::ConnectionCounter inside("127.0.0.2");
  HttpClientOptions options = loopbackOptions();
  options.resolve = {"allowed.test:" + std::to_string(receiver->port()) + ":127.0.0.1",
                     "rebound.test:" + std::to_string(inside.port()) + ":127.0.0.2"};
  HttpClient client(io_, options);

  const DeliveryResult allowed = sendAndWait(
      requestTo("http://allowed.test:" + std::to_string(receiver->port()) + "/x"), &client);
  const DeliveryResult rebound = sendAndWait(
      requestTo("http://rebound.test:" + std::to_string(inside.port()) + "/x"), &client);

  EXPECT_EQ(allowed.http_status, 200) << allowed.error;
  EXPECT_FALSE(allowed.blocked);
  EXPECT_TRUE(rebound.blocked) << rebound.error;
  EXPECT_NE(rebound.error.find("127.0.0.2"), std::string::npos) << rebound.error;
  EXPECT_EQ(inside.count(), 0);
}

TEST_F(HttpClientSecurityTest, GuardRefusesEveryAddressOfAName) {
  testing::ConnectionCounter inside("127.0.0.2");
  HttpClientOptions options = loopbackOptions();
  const std::string port = std::to_string(inside.port());
  options.resolve = {"two.test:" + port + ":127.0.0.3,127.0.0.2"};
  HttpClient client(io_, options);

  const DeliveryResult result = sendAndWait(requestTo("http://two.test:" + port + "/x"), &client);

  EXPECT_TRUE(result.blocked) << result.error;
  EXPECT_EQ(inside.count(), 0);
}

TEST_F(HttpClientSecurityTest, MalformedResolveEntryStopsStartUp) {
  HttpClientOptions options;
  options.resolve = {"no-port.test:127.0.0.1"};
  EXPECT_THROW(HttpClient(io_, options), std::runtime_error);
  EXPECT_TRUE(isResolveEntry("a.test:443:127.0.0.1"));
  EXPECT_TRUE(isResolveEntry("a.test:443:[::1],127.0.0.1"));
  EXPECT_FALSE(isResolveEntry("a.test:0:127.0.0.1"));
  EXPECT_FALSE(isResolveEntry("a.test:x:127.0.0.1"));
  EXPECT_FALSE(isResolveEntry(":443:127.0.0.1"));
}

// Field case B24: even if a later change turned redirects on, every easy handle only speaks
// https (and http under allow_http) for the request and for redirects. The transfer is driven
// synchronously here, with CURLOPT_FOLLOWLOCATION switched on by the test.
class TransferProtocolsTest : public HttpClientSecurityTest {
 protected:
  // `any_request_protocol` also widens CURLOPT_PROTOCOLS_STR, to show that
  // CURLOPT_REDIR_PROTOCOLS_STR alone still holds redirects (curl checks a redirect against both).
  CURLcode performFollowing(DeliveryRequest request, const HttpClientOptions& options,
                            bool any_request_protocol = false) {
    const NetworkPolicy network(options.allow_networks);
    const std::string ca_trust = loadCaTrust(options);
    Transfer transfer(std::move(request), nullptr);
    EXPECT_EQ(transfer.configure(nullptr, options, ca_trust, network, nullptr), CURLE_OK);
    curl_easy_setopt(transfer.easy(), CURLOPT_FOLLOWLOCATION, 1L);
    if (any_request_protocol) {
      curl_easy_setopt(transfer.easy(), CURLOPT_PROTOCOLS_STR, "all");
    }
    return curl_easy_perform(transfer.easy());
  }

  static ReceiverServer::Handler redirectTo(std::string location) {
    return [location](const ReceivedRequest&) {
      ReceiverReply reply;
      reply.status = 302;
      reply.headers = {{"Location", location}};
      return reply;
    };
  }
};

TEST_F(TransferProtocolsTest, B24RedirectToGopherOrDictIsRefusedEvenWhenFollowing) {
  testing::ConnectionCounter redis_like("127.0.0.1");  // allow-listed: only the protocol limit
  const std::string port = std::to_string(redis_like.port());
  for (const std::string& location :
       {"gopher://127.0.0.1:" + port + "/_SET%20pwned%201", "dict://127.0.0.1:" + port + "/info",
        std::string("file:///etc/passwd"), "ftp://127.0.0.1:" + port + "/"}) {
    auto receiver = startReceiver(redirectTo(location));
    for (bool any_request_protocol : {false, true}) {
      EXPECT_EQ(performFollowing(requestTo(receiver->url("/b24")), loopbackOptions(),
                                 any_request_protocol),
                CURLE_UNSUPPORTED_PROTOCOL)
          << location << " any_request_protocol=" << any_request_protocol;
    }
    EXPECT_EQ(receiver->count(), 2u) << location;
  }
  EXPECT_EQ(redis_like.count(), 0);
}

TEST_F(TransferProtocolsTest, RedirectFromHttpsToHttpIsRefusedUnlessHttpIsAllowed) {
  testing::TestPki pki;
  const auto certificate = pki.issue("receiver", testing::TestPki::kLoopbackNames);
  testing::ConnectionCounter plain("127.0.0.1");
  ReceiverServer::Options tls;
  tls.tls_cert_file = certificate.cert_file;
  tls.tls_key_file = certificate.key_file;
  auto receiver =
      startReceiver(redirectTo("http://127.0.0.1:" + std::to_string(plain.port()) + "/"), tls);
  HttpClientOptions options = loopbackOptions();
  options.ca_file = pki.caFile();
  DeliveryRequest request = requestTo(receiver->url("/x"));
  request.allow_http = false;

  EXPECT_EQ(performFollowing(request, options), CURLE_UNSUPPORTED_PROTOCOL);
  EXPECT_EQ(receiver->count(), 1u);
  EXPECT_EQ(plain.count(), 0);
}

TEST_F(TransferProtocolsTest, PlainHttpRequestIsRefusedUnlessAllowed) {
  testing::ConnectionCounter plain("127.0.0.1");
  DeliveryRequest request = requestTo("http://127.0.0.1:" + std::to_string(plain.port()) + "/");
  request.allow_http = false;

  EXPECT_EQ(performFollowing(request, loopbackOptions()), CURLE_UNSUPPORTED_PROTOCOL);
  EXPECT_EQ(plain.count(), 0);
}

// B11: without an asynchronous resolver a lookup that never answers would block the io thread
// (and every other channel on it), and its timeout would come by SIGALRM and a long jump.
TEST(LibcurlCheckTest, B11_StartUpRefusesALibcurlWithoutAsynchDns) {
  const curl_version_info_data* installed = curl_version_info(CURLVERSION_NOW);
  ASSERT_TRUE(checkLibcurl(*installed).ok()) << "the installed libcurl must pass";

  curl_version_info_data without_async = *installed;
  without_async.features &= ~CURL_VERSION_ASYNCHDNS;
  const auto refused = checkLibcurl(without_async);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("asynchronous DNS"), std::string::npos);
}

}  // namespace
}  // namespace hookline
