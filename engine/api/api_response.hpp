#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>

#include "engine/api/field_error.hpp"

namespace hookline {

using ApiRequest = boost::beast::http::request<boost::beast::http::string_body>;
using ApiResponse = boost::beast::http::response<boost::beast::http::string_body>;

// The messages the published API page promises (DESIGN.md section 1); clients match on them.
namespace api_message {
inline constexpr std::string_view kConfigured = "Webhook configured successfully";
inline constexpr std::string_view kValidation = "Validation error";
inline constexpr std::string_view kUnauthorized = "Unauthorized";
inline constexpr std::string_view kInvalidChannel = "Invalid channel";
inline constexpr std::string_view kInvalidUrl = "Invalid webhook URL";
inline constexpr std::string_view kRegistrationFailed = "Webhook registration failed";
// Not on the published page: answers outside the setWebhook contract.
inline constexpr std::string_view kNotFound = "Not found";
inline constexpr std::string_view kMethodNotAllowed = "Method not allowed";
inline constexpr std::string_view kBadRequest = "Bad request";
inline constexpr std::string_view kHeadersTooLarge = "Request headers too large";
// The routes beyond setWebhook (README.md, "Management API").
inline constexpr std::string_view kWebhook = "Webhook";
inline constexpr std::string_view kWebhookNotFound = "Webhook not found";
inline constexpr std::string_view kWebhookDeleted = "Webhook deleted";
inline constexpr std::string_view kWebhookSecret = "Webhook secret";
inline constexpr std::string_view kSecretRotated = "Webhook secret rotated";
inline constexpr std::string_view kAttempts = "Delivery attempts";
inline constexpr std::string_view kTestQueued = "Test event queued";
inline constexpr std::string_view kWebhookDisabled = "Webhook disabled";
inline constexpr std::string_view kNoEvents = "Webhook subscribes to no events";
inline constexpr std::string_view kServiceUnavailable = "Service unavailable";
}  // namespace api_message

// A response with a JSON body; Content-Type and Content-Length are set. The caller sets
// version and keep-alive to match the request.
ApiResponse jsonResponse(boost::beast::http::status status, std::string body);

// {"success":false,"message":...} plus "errors":[{"field","reason"}...] when there are any.
std::string errorBody(std::string_view message, const std::vector<FieldError>& errors = {});
ApiResponse errorResponse(boost::beast::http::status status, std::string_view message,
                          const std::vector<FieldError>& errors = {});

// 503 with the error envelope and Retry-After: the server could not take the request on, or
// had no answer from Redis in time; trying again after `retry_after` may succeed.
ApiResponse unavailableResponse(std::string_view message,
                                std::chrono::seconds retry_after = std::chrono::seconds(1));

}  // namespace hookline
