// docs/openapi.yaml judged from outside: an independent validator checks the file, the routes it
// declares must be exactly the router's, and the real server's answers to a scripted session
// must have declared statuses and match the declared schemas
// (tests/node/openapi_check.js, with @apidevtools/swagger-parser and ajv).
#include <gtest/gtest.h>

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>
#include <nlohmann/json.hpp>

#include <unistd.h>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "engine/api/api_router.hpp"
#include "tests/support/api_server_runner.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/engine_harness.hpp"
#include "tests/support/http_call.hpp"
#include "tests/support/test_redis.hpp"
#include "tests/support/wait.hpp"

namespace hookline::testing {
namespace {

using namespace std::chrono_literals;
using Json = nlohmann::json;
namespace http = boost::beast::http;

using RouteSet = std::set<std::pair<std::string, std::string>>;

std::string openApiFile() {
  return (sourceDir() / "docs" / "openapi.yaml").string();
}

// Runs tests/node/openapi_check.js; its last line of output is its JSON verdict.
Json openApiCheck(std::vector<std::string> args) {
  const auto node_dir = sourceDir() / "tests" / "node";
  for (const char* package : {"@apidevtools/swagger-parser", "ajv", "ajv-formats"}) {
    if (!std::filesystem::exists(node_dir / "node_modules" / package)) {
      throw std::runtime_error(std::string("the npm package ") + package +
                               " is missing (cd tests/node && npm install)");
    }
  }
  if (!programAvailable("node")) {
    throw std::runtime_error("node is missing (scripts/install-deps.sh installs it)");
  }
  args.insert(args.begin(), {"node", (node_dir / "openapi_check.js").string()});
  const auto run = runProgram(args, {}, 60s);
  const auto last = run.output.find_last_of('\n', run.output.size() - 2);
  const auto verdict =
      Json::parse(run.output.substr(last == std::string::npos ? 0 : last + 1), nullptr, false);
  if (run.exit_code != 0 || !verdict.is_object()) {
    ADD_FAILURE() << "openapi_check.js failed: " << run.output;
    return Json::object();
  }
  return verdict;
}

RouteSet routerRoutes() {
  RouteSet routes;
  for (const auto& route : ApiRouter::routes()) {
    routes.emplace(route.method, route.path);
  }
  return routes;
}

TEST(OpenApiTest, ValidatesAndItsExamplesMatchTheirSchemas) {
  const auto verdict = openApiCheck({"validate", openApiFile()});
  EXPECT_FALSE(verdict.contains("error")) << verdict.dump();
  EXPECT_GT(verdict.value("examples", 0), 20);
  EXPECT_EQ(verdict.value("failures", Json::array()), Json::array()) << verdict.dump(2);
}

TEST(OpenApiTest, DeclaresExactlyTheRoutesTheRouterServes) {
  const auto verdict = openApiCheck({"validate", openApiFile()});
  RouteSet declared;
  for (const auto& route : verdict.value("routes", Json::array())) {
    declared.emplace(route[0].get<std::string>(), route[1].get<std::string>());
  }
  EXPECT_EQ(declared, routerRoutes());
}

// The router's route table is what route() really serves: each listed method is answered by a
// handler, every other method gets 405 with exactly the listed methods in Allow, and paths not
// listed are 404 "Not found".
TEST(OpenApiTest, RouteTableIsWhatTheRouterAnswers) {
  ApiServerOptions options;
  options.redis.endpoint.port = sharedRedis().port();
  options.key_prefix = uniquePrefix();
  options.metrics = [] { return std::string("# no metrics\n"); };
  ApiRouter router(options);

  std::map<std::string, std::set<std::string>> methods_by_path;
  for (const auto& route : ApiRouter::routes()) {
    methods_by_path[std::string(route.path)].insert(std::string(route.method));
  }
  const auto concrete = [](std::string path) {
    const auto at = path.find("{channel_id}");
    return at == std::string::npos ? path : path.replace(at, 12, "ch_x");
  };
  const auto ask = [&](http::verb verb, const std::string& target) {
    ApiRequest request{verb, target, 11};
    ApiRoute routed = router.route(request);
    if (routed.answer) {
      return std::move(*routed.answer);
    }
    // Work for a pool: a handler serves it (what it answers needs Redis, tested elsewhere).
    EXPECT_TRUE(routed.work) << target;
    ApiResponse served;
    served.result(http::status::ok);
    return served;
  };

  for (const auto& [path, methods] : methods_by_path) {
    for (const http::verb verb :
         {http::verb::get, http::verb::post, http::verb::put, http::verb::delete_,
          http::verb::patch, http::verb::head, http::verb::options}) {
      const std::string method(http::to_string(verb));
      const auto response = ask(verb, concrete(path));
      if (methods.contains(method)) {
        EXPECT_NE(response.result_int(), 405) << method << " " << path;
        EXPECT_EQ(response.body().find("\"Not found\""), std::string::npos)
            << method << " " << path;
        continue;
      }
      EXPECT_EQ(response.result_int(), 405) << method << " " << path;
      std::set<std::string> allowed;
      std::istringstream allow{std::string(response[http::field::allow])};
      for (std::string item; std::getline(allow, item, ',');) {
        allowed.insert(item.substr(item.find_first_not_of(' ')));
      }
      EXPECT_EQ(allowed, methods) << method << " " << path;
    }
  }
  for (const std::string target :
       {"/", "/api", "/api/integrations/ch_x", "/api/integrations/ch_x/",
        "/api/integrations//webhook", "/api/integrations/ch_x/webhook/other",
        "/api/integrations/ch_x/attempts/1", "/metrics/x"}) {
    const auto response = ask(http::verb::get, target);
    EXPECT_EQ(response.result_int(), 404) << target;
    EXPECT_EQ(response.body(), R"({"success":false,"message":"Not found"})") << target;
  }
}

// A scripted session against the real server; every answer is recorded with the path of the
// description it belongs to and judged by openapi_check.js.
class OpenApiSessionTest : public ::testing::Test {
 protected:
  static constexpr const char* kBase = "/api/integrations/{channel_id}";

  HttpCallResult call(unsigned short port, const std::string& method, const std::string& suffix,
                      const std::string& channel, const std::string& body = "",
                      HttpHeaders headers = {}, const std::string& query = "") {
    if (headers.empty()) {
      headers = {{"X-API-Key", harness_.apiKey()}, {"Content-Type", "application/json"}};
    }
    std::string target = suffix.starts_with("/api") || suffix.starts_with("/healthz") ||
                                 suffix.starts_with("/readyz") || suffix.starts_with("/metrics")
                             ? suffix
                             : "/api/integrations/" + channel + suffix;
    return httpCall(port, method, target + query, headers, body);
  }

  // Records one answer; `path` is the description's path, `component` a response of
  // components.responses that judges it instead of the operation.
  void record(const std::string& method, const std::string& path, const HttpCallResult& result,
              int expected_status, const std::string& component = "") {
    EXPECT_EQ(result.status, expected_status) << method << " " << path << ": " << result.body;
    Json exchange = {{"method", method},
                     {"path", path},
                     {"status", result.status},
                     {"content_type", result.header("Content-Type")},
                     {"allow", result.header("Allow")},
                     {"body", result.body}};
    if (!component.empty()) {
      exchange["component"] = component;
    }
    exchanges_.push_back(std::move(exchange));
  }

  // The management route at `suffix` under the channel, answered by the harness's API.
  void expect(const std::string& method, const std::string& suffix, int status,
              const std::string& channel = "ch_42", const std::string& body = "",
              const HttpHeaders& headers = {}, const std::string& query = "") {
    record(method, std::string(kBase) + suffix,
           call(harness_.apiPort(), method, suffix, channel, body, headers, query), status);
  }

  EngineHarness harness_;
  Json exchanges_ = Json::array();
};

TEST_F(OpenApiSessionTest, ServerAnswersMatchTheDescription) {
  harness_.createChannel("ch_42");
  harness_.createChannel("ch_other", "globex");
  const std::string url = harness_.receiver().url("hook");
  const std::string valid =
      R"({"url":")" + url + R"(","events":{"message_incoming":true,"message_status":true}})";
  const HttpHeaders json_only = {{"Content-Type", "application/json"}};

  // Create, read, rotate, test, list attempts.
  expect("POST", "/setWebhook", 200, "ch_42", valid);
  expect("POST", "/setWebhook", 200, "ch_42", valid);
  ASSERT_TRUE(waitUntil([&] { return harness_.webhooks().find("ch_42") != nullptr; }, 2s));
  expect("GET", "/webhook", 200);
  expect("GET", "/webhook/secret", 200);
  expect("POST", "/webhook/rotateSecret", 200);
  expect("GET", "/webhook/secret", 200);
  expect("POST", "/webhook/test", 202);
  expect("POST", "/webhook/test", 202, "ch_42", R"({"type":"message_status"})");
  ASSERT_TRUE(harness_.receiver().waitForCount(2, 10s)) << harness_.describe();
  ASSERT_TRUE(waitUntil(
      [&] {
        const auto answer = call(harness_.apiPort(), "GET", "/attempts", "ch_42");
        return Json::parse(answer.body)["data"]["attempts"].size() == 2;
      },
      10s));
  expect("GET", "/attempts", 200, "ch_42", "", {}, "?limit=5");

  // Route-specific errors.
  expect("POST", "/setWebhook", 401, "ch_42", valid, json_only);
  expect("POST", "/setWebhook", 401, "ch_42", valid,
         {{"X-API-Key", "hk_not_a_key"}, {"Content-Type", "application/json"}});
  expect("POST", "/setWebhook", 404, "ch_other", valid);
  expect("POST", "/setWebhook", 404, "ch_missing", valid);
  expect("POST", "/setWebhook", 400, "ch_42", "{not json");
  expect("POST", "/setWebhook", 400, "ch_42", R"({"events":{"message_read":true}})");
  expect("POST", "/setWebhook", 400, "ch_42", valid,
         {{"X-API-Key", harness_.apiKey()}, {"Content-Type", "text/plain"}});
  expect("POST", "/setWebhook", 400, "ch_42", R"({"url":"http://0.0.0.0/x","events":{}})");
  expect("POST", "/setWebhook", 413, "ch_42",
         R"({"url":"https://example.com/","events":{},"pad":")" + std::string(70000, 'x') + "\"}");
  expect("POST", "/webhook/test", 400, "ch_42", R"({"type":"channel_update"})");
  expect("POST", "/webhook/test", 400, "ch_42", R"({"type":"message_read"})");
  expect("GET", "/attempts", 400, "ch_42", "", {}, "?limit=0");
  expect("GET", "/attempts", 404, "ch_other");
  expect("GET", "/webhook", 401, "ch_42", "", {{"X-API-Key", "hk_not_a_key"}});
  expect("GET", "/webhook", 404, "ch_other");

  expect("POST", "/setWebhook", 200, "ch_42", R"({"url":")" + url + R"(","events":{}})");
  expect("POST", "/webhook/test", 409);

  expect("DELETE", "/webhook", 200);
  expect("DELETE", "/webhook", 404);
  expect("GET", "/webhook", 404);
  expect("GET", "/webhook/secret", 404);
  expect("POST", "/webhook/rotateSecret", 404);
  expect("POST", "/webhook/test", 404);

  // Answers any route may give.
  const auto put = call(harness_.apiPort(), "PUT", "/setWebhook", "ch_42", valid);
  record("PUT", std::string(kBase) + "/setWebhook", put, 405, "MethodNotAllowed");
  const auto post = call(harness_.apiPort(), "POST", "/webhook", "ch_42");
  record("POST", std::string(kBase) + "/webhook", post, 405, "MethodNotAllowed");
  record("DELETE", "/healthz", call(harness_.apiPort(), "DELETE", "/healthz", ""), 405,
         "MethodNotAllowed");
  record("GET", "/nope", call(harness_.apiPort(), "GET", "/api/integrations/ch_42/nope", ""), 404,
         "NotFound");
  const auto too_large =
      httpCall(harness_.apiPort(), "GET", "/healthz", {{"X-Padding", std::string(9000, 'x')}});
  record("GET", "/healthz", too_large, 431, "HeadersTooLarge");
  const auto garbage = rawHttpCall(harness_.apiPort(), "NOT HTTP AT ALL\r\n\r\n");
  ASSERT_EQ(garbage.size(), 1u);
  record("GET", "/healthz", garbage[0], 400, "BadRequest");

  record("GET", "/healthz", call(harness_.apiPort(), "GET", "/healthz", ""), 200);
  record("GET", "/readyz", call(harness_.apiPort(), "GET", "/readyz", ""), 200);
  record("GET", "/metrics", call(harness_.apiPort(), "GET", "/metrics", ""), 200);

  // Redis gone: the same routes on a server whose Redis port has nothing listening.
  ApiServerRunner broken;
  ApiServerOptions options;
  options.port = 0;
  options.redis.endpoint.port = freeLoopbackPort();
  options.redis.connect_timeout = 300ms;
  options.allow_http = true;
  broken.start(options);
  record("POST", std::string(kBase) + "/setWebhook",
         call(broken.port(), "POST", "/setWebhook", "ch_42", valid), 503);
  for (const auto& [method, suffix] :
       std::vector<std::pair<std::string, std::string>>{{"GET", "/webhook"},
                                                        {"DELETE", "/webhook"},
                                                        {"GET", "/webhook/secret"},
                                                        {"POST", "/webhook/rotateSecret"},
                                                        {"POST", "/webhook/test"},
                                                        {"GET", "/attempts"}}) {
    record(method, std::string(kBase) + suffix, call(broken.port(), method, suffix, "ch_42"), 503);
  }
  record("GET", "/readyz", call(broken.port(), "GET", "/readyz", ""), 503);

  const auto file = std::filesystem::temp_directory_path() /
                    ("hookline-openapi-exchanges-" + std::to_string(::getpid()) + ".json");
  std::ofstream(file) << exchanges_.dump(2);
  const auto verdict = openApiCheck({"responses", openApiFile(), file.string()});
  std::filesystem::remove(file);
  EXPECT_EQ(verdict.value("checked", 0), static_cast<int>(exchanges_.size()));
  EXPECT_EQ(verdict.value("failures", Json::array()), Json::array()) << verdict.dump(2);
}

}  // namespace
}  // namespace hookline::testing
