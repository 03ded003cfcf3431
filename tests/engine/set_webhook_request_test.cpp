#include "engine/api/set_webhook_request.hpp"

#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/fake_resolver.hpp"

namespace hookline {

// Readable failures: gtest prints a FieldError as {field, reason}.
void PrintTo(const FieldError& error, std::ostream* out) {
  *out << "{" << error.field << ", " << error.reason << "}";
}

namespace {

class SetWebhookRequestTest : public ::testing::Test {
 protected:
  // The body with `url` (already JSON text) and an events object.
  static std::string bodyWithUrl(const std::string& url_json) {
    return R"({"url":)" + url_json + R"(,"events":{"message_status":true}})";
  }

  Expected<SetWebhookRequest, BodyRejection> parse(const std::string& body) {
    return parseSetWebhookBody(body, rules_);
  }

  // Expects exactly one error of that kind, field and reason.
  void expectRejected(const std::string& body, BodyProblem problem, const std::string& field,
                      const std::string& reason) {
    auto parsed = parse(body);
    ASSERT_FALSE(parsed.ok()) << body;
    EXPECT_EQ(parsed.error().problem, problem) << body;
    EXPECT_EQ(parsed.error().errors, (std::vector<FieldError>{{field, reason}})) << body;
  }

  void expectInvalidUrl(const std::string& url_json, const std::string& reason) {
    expectRejected(bodyWithUrl(url_json), BodyProblem::InvalidUrl, "url", reason);
  }

  UrlRules rules_{.resolve = testing::publicResolver()};
};

TEST_F(SetWebhookRequestTest, AcceptsAFullBody) {
  auto parsed = parse(R"({"url":"https://hooks.example.com/in","events":{"message_incoming":true,)"
                      R"("message_outgoing":false,"message_status":true,"template_update":false,)"
                      R"("channel_update":true}})");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->url, "https://hooks.example.com/in");
  EXPECT_TRUE(parsed->events.contains(EventKind::MessageIncoming));
  EXPECT_FALSE(parsed->events.contains(EventKind::MessageOutgoing));
  EXPECT_TRUE(parsed->events.contains(EventKind::MessageStatus));
  EXPECT_FALSE(parsed->events.contains(EventKind::TemplateUpdate));
  EXPECT_TRUE(parsed->events.contains(EventKind::ChannelUpdate));
}

TEST_F(SetWebhookRequestTest, AbsentFlagsAreFalse) {
  auto parsed = parse(R"({"url":"https://a.example/","events":{"template_update":true}})");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->events.bits(), EventMask().bits() | (1u << 3));
  EXPECT_FALSE(parsed->events.contains(EventKind::MessageIncoming));
}

TEST_F(SetWebhookRequestTest, EmptyEventsObjectSubscribesToNothing) {
  auto parsed = parse(R"({"url":"https://a.example/","events":{}})");
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(parsed->events.empty());
}

TEST_F(SetWebhookRequestTest, UnknownTopLevelFieldsAreIgnored) {
  EXPECT_TRUE(parse(R"({"url":"https://a.example/","events":{},"note":1})").ok());
}

TEST_F(SetWebhookRequestTest, UnknownEventIsRejected) {
  expectRejected(R"({"url":"https://a.example/","events":{"message_deleted":true}})",
                 BodyProblem::Validation, "events.message_deleted", "is not a known event");
}

TEST_F(SetWebhookRequestTest, NonBooleanFlagIsRejected) {
  expectRejected(R"({"url":"https://a.example/","events":{"message_status":"true"}})",
                 BodyProblem::Validation, "events.message_status", "must be a boolean");
  expectRejected(R"({"url":"https://a.example/","events":{"message_status":1}})",
                 BodyProblem::Validation, "events.message_status", "must be a boolean");
  expectRejected(R"({"url":"https://a.example/","events":{"message_status":null}})",
                 BodyProblem::Validation, "events.message_status", "must be a boolean");
}

TEST_F(SetWebhookRequestTest, MissingUrlIsRejected) {
  expectRejected(R"({"events":{}})", BodyProblem::Validation, "url", "is required");
}

TEST_F(SetWebhookRequestTest, MissingEventsIsRejected) {
  expectRejected(R"({"url":"https://a.example/"})", BodyProblem::Validation, "events",
                 "is required");
}

TEST_F(SetWebhookRequestTest, EventsNotAnObjectIsRejected) {
  expectRejected(R"({"url":"https://a.example/","events":["message_status"]})",
                 BodyProblem::Validation, "events", "must be an object");
}

TEST_F(SetWebhookRequestTest, UrlNotAStringIsRejected) {
  expectRejected(R"({"url":42,"events":{}})", BodyProblem::Validation, "url", "must be a string");
  expectRejected(R"({"url":null,"events":{}})", BodyProblem::Validation, "url", "must be a string");
}

TEST_F(SetWebhookRequestTest, EveryTypeProblemIsReported) {
  auto parsed = parse(R"({"events":{"bogus":true,"message_status":"yes"}})");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().problem, BodyProblem::Validation);
  EXPECT_EQ(parsed.error().errors,
            (std::vector<FieldError>{{"url", "is required"},
                                     {"events.bogus", "is not a known event"},
                                     {"events.message_status", "must be a boolean"}}));
}

TEST_F(SetWebhookRequestTest, TypeProblemsWinOverABadUrl) {
  expectRejected(R"({"url":"ftp://a.example/","events":[]})", BodyProblem::Validation, "events",
                 "must be an object");
}

TEST_F(SetWebhookRequestTest, BodyNotJsonIsRejected) {
  expectRejected("url=https://a.example/", BodyProblem::Validation, "body", "must be valid JSON");
  expectRejected("", BodyProblem::Validation, "body", "must be valid JSON");
  expectRejected(R"({"url":"https://a.example/","events":{})", BodyProblem::Validation, "body",
                 "must be valid JSON");
}

TEST_F(SetWebhookRequestTest, InvalidUtf8IsNotJson) {
  expectRejected("{\"url\":\"https://a.example/\xff\",\"events\":{}}", BodyProblem::Validation,
                 "body", "must be valid JSON");
}

TEST_F(SetWebhookRequestTest, JsonArrayIsRejected) {
  expectRejected(R"([{"url":"https://a.example/","events":{}}])", BodyProblem::Validation, "body",
                 "must be a JSON object");
}

TEST_F(SetWebhookRequestTest, JsonScalarIsRejected) {
  expectRejected("\"https://a.example/\"", BodyProblem::Validation, "body",
                 "must be a JSON object");
}

TEST_F(SetWebhookRequestTest, DeeplyNestedJsonIsRejectedWithoutCrashing) {
  const std::string nested = std::string(20000, '[') + std::string(20000, ']');
  expectRejected(nested, BodyProblem::Validation, "body", "must be a JSON object");
}

TEST_F(SetWebhookRequestTest, ManyUnknownEventsReportAtMostTheCap) {
  std::string events;
  for (int i = 0; i < 100; ++i) {
    events += (i ? "," : "") + std::string("\"e") + std::to_string(i) + "\":true";
  }
  auto parsed = parse(R"({"url":"https://a.example/","events":{)" + events + "}}");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().errors.size(), kMaxFieldErrors);
}

TEST_F(SetWebhookRequestTest, HttpUrlIsRejectedByDefault) {
  expectInvalidUrl(R"("http://a.example/in")", "must use https");
}

TEST_F(SetWebhookRequestTest, HttpUrlIsAcceptedWhenAllowed) {
  rules_.allow_http = true;
  auto parsed = parse(bodyWithUrl(R"("http://a.example:9000/in")"));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->url, "http://a.example:9000/in");
}

TEST_F(SetWebhookRequestTest, FtpSchemeIsRejectedEvenWhenHttpIsAllowed) {
  rules_.allow_http = true;
  expectInvalidUrl(R"("ftp://a.example/in")", "must use http or https");
}

TEST_F(SetWebhookRequestTest, FtpSchemeIsRejected) {
  expectInvalidUrl(R"("ftp://a.example/in")", "must use https");
}

TEST_F(SetWebhookRequestTest, UnsupportedSchemesAreRejected) {
  expectInvalidUrl(R"("gopher://127.0.0.1:6390/_SET%20pwned%201")", "must use https");
  expectInvalidUrl(R"("file:///etc/passwd")", "must use https");
  expectInvalidUrl(R"("dict://127.0.0.1:6390/info")", "must use https");
  expectInvalidUrl(R"("javascript://a.example/")", "must use https");
}

TEST_F(SetWebhookRequestTest, UppercaseSchemeIsAccepted) {
  EXPECT_TRUE(parse(bodyWithUrl(R"("HTTPS://a.example/in")")).ok());
}

TEST_F(SetWebhookRequestTest, UserinfoIsRejected) {
  expectInvalidUrl(R"("https://user:pw@a.example/in")", "must not contain user information");
  expectInvalidUrl(R"("https://user@a.example/in")", "must not contain user information");
  expectInvalidUrl(R"("https://@a.example/in")", "must not contain user information");
}

TEST_F(SetWebhookRequestTest, AtSignInPathIsNotUserinfo) {
  EXPECT_TRUE(parse(bodyWithUrl(R"("https://a.example/in/@team")")).ok());
}

TEST_F(SetWebhookRequestTest, FragmentIsRejected) {
  expectInvalidUrl(R"("https://a.example/in#part")", "must not contain a fragment");
  expectInvalidUrl(R"("https://a.example/in#")", "must not contain a fragment");
}

TEST_F(SetWebhookRequestTest, UrlOf2048BytesIsAccepted) {
  const std::string prefix = "https://a.example/";
  const std::string url = prefix + std::string(2048 - prefix.size(), 'x');
  EXPECT_TRUE(parse(bodyWithUrl("\"" + url + "\"")).ok());
}

TEST_F(SetWebhookRequestTest, UrlOver2048BytesIsRejected) {
  const std::string prefix = "https://a.example/";
  const std::string url = prefix + std::string(2049 - prefix.size(), 'x');
  expectInvalidUrl("\"" + url + "\"", "must be at most 2048 bytes");
}

TEST_F(SetWebhookRequestTest, RelativeUrlIsRejected) {
  expectInvalidUrl(R"("/hooks/in")", "must be an absolute URL");
  expectInvalidUrl(R"("a.example/hooks/in")", "must be an absolute URL");
  expectInvalidUrl(R"("//a.example/hooks/in")", "must be an absolute URL");
}

TEST_F(SetWebhookRequestTest, UrlWithoutHostIsRejected) {
  expectInvalidUrl(R"("https:///in")", "must be an absolute URL");
  expectInvalidUrl(R"("https:/a.example/in")", "must be an absolute URL");
  expectInvalidUrl(R"("https://:443/in")", "has no valid host");
}

TEST_F(SetWebhookRequestTest, BadPortIsRejected) {
  expectInvalidUrl(R"("https://a.example:99999/in")", "has an invalid port");
  expectInvalidUrl(R"("https://a.example:http/in")", "has an invalid port");
  expectInvalidUrl(R"("https://a.example:0/in")", "has an invalid port");
}

TEST_F(SetWebhookRequestTest, ExplicitValidPortIsAccepted) {
  EXPECT_TRUE(parse(bodyWithUrl(R"("https://a.example:8443/in")")).ok());
  EXPECT_TRUE(parse(bodyWithUrl(R"("https://[2606:4700:4700::1111]:8443/in")")).ok());
}

TEST_F(SetWebhookRequestTest, EmptyUrlIsRejected) {
  expectInvalidUrl(R"("")", "must not be empty");
}

TEST_F(SetWebhookRequestTest, SpacesAndControlCharactersAreRejected) {
  expectInvalidUrl(R"("https://a.example/in put")",
                   "must not contain spaces or control characters");
  expectInvalidUrl(R"("https://a.example/in\u0000")",
                   "must not contain spaces or control characters");
  expectInvalidUrl(R"("https://a.example/in\r\nX-Evil: 1")",
                   "must not contain spaces or control characters");
}

TEST_F(SetWebhookRequestTest, PercentEncodedHostIsRejected) {
  expectInvalidUrl(R"("https://%31%32%37.0.0.1/in")", "must not percent-encode the host");
  expectInvalidUrl(R"("https://0x%7f1/in")", "must not percent-encode the host");
  expectInvalidUrl(R"("https://exa%6dple.com:8443/in")", "must not percent-encode the host");
}

TEST_F(SetWebhookRequestTest, PercentEncodingInPathIsAccepted) {
  EXPECT_TRUE(parse(bodyWithUrl(R"("https://a.example/in%20box?q=%2F")")).ok());
}

TEST_F(SetWebhookRequestTest, JsonContentTypeIsRecognised) {
  EXPECT_TRUE(isJsonContentType("application/json"));
  EXPECT_TRUE(isJsonContentType("Application/JSON"));
  EXPECT_TRUE(isJsonContentType("application/json; charset=utf-8"));
  EXPECT_TRUE(isJsonContentType("application/json;charset=\"UTF-8\""));
  EXPECT_TRUE(isJsonContentType(" application/json ; "));
}

TEST_F(SetWebhookRequestTest, OtherContentTypesAreNotJson) {
  EXPECT_FALSE(isJsonContentType(""));
  EXPECT_FALSE(isJsonContentType("text/plain"));
  EXPECT_FALSE(isJsonContentType("application/jsonx"));
  EXPECT_FALSE(isJsonContentType("application/x-www-form-urlencoded"));
  EXPECT_FALSE(isJsonContentType("application/json; charset=latin1"));
  EXPECT_FALSE(isJsonContentType("application/json; garbage"));
}

}  // namespace
}  // namespace hookline
