#include "engine/api/api_response.hpp"

#include <string>

#include <boost/beast/http/field.hpp>
#include <nlohmann/json.hpp>

namespace hookline {

namespace http = boost::beast::http;

ApiResponse jsonResponse(http::status status, std::string body) {
  ApiResponse response{status, 11};
  response.set(http::field::content_type, "application/json");
  response.set(http::field::cache_control, "no-store");
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

std::string errorBody(std::string_view message, const std::vector<FieldError>& errors) {
  nlohmann::ordered_json json = {{"success", false}, {"message", message}};
  if (!errors.empty()) {
    auto& list = json["errors"] = nlohmann::ordered_json::array();
    for (const auto& error : errors) {
      list.push_back({{"field", error.field}, {"reason", error.reason}});
    }
  }
  // Field names can echo client bytes; never let a bad byte turn into an exception.
  return json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

ApiResponse errorResponse(http::status status, std::string_view message,
                          const std::vector<FieldError>& errors) {
  auto response = jsonResponse(status, errorBody(message, errors));
  if (status == http::status::service_unavailable) {
    // Every 503 says when to try again, whether the store failed during the request or the
    // request never got a worker.
    response.set(http::field::retry_after, "1");
  }
  return response;
}

ApiResponse unavailableResponse(std::string_view message, std::chrono::seconds retry_after) {
  auto response = errorResponse(http::status::service_unavailable, message);
  response.set(http::field::retry_after, std::to_string(retry_after.count()));
  return response;
}

}  // namespace hookline
