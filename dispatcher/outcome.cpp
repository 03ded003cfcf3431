#include "dispatcher/outcome.hpp"

#include <curl/curl.h>

namespace hookline {
namespace {

// curl failures caused by our own request or configuration rather than the network: sending
// again cannot help.
bool isPermanentCurlError(int code) {
  switch (code) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_NOT_BUILT_IN:
    case CURLE_BAD_FUNCTION_ARGUMENT:
    case CURLE_TOO_MANY_REDIRECTS:
      return true;
    default:
      return false;
  }
}

}  // namespace

AttemptOutcome classifyAttempt(const DeliveryResult& result) {
  // Not a network error: the same address would be refused again on every retry.
  if (result.blocked) {
    return AttemptOutcome::Blocked;
  }
  if (result.curl_code != 0) {
    return isPermanentCurlError(result.curl_code) ? AttemptOutcome::Rejected
                                                  : AttemptOutcome::Retry;
  }
  const int status = result.http_status;
  if (status >= 200 && status < 300) {
    return AttemptOutcome::Delivered;
  }
  if (status == 410) {
    return AttemptOutcome::Gone;
  }
  if (status == 408 || status == 425 || status == 429 || status >= 500 || status < 100) {
    return AttemptOutcome::Retry;
  }
  return AttemptOutcome::Rejected;
}

std::string_view attemptOutcomeName(AttemptOutcome outcome) {
  switch (outcome) {
    case AttemptOutcome::Delivered:
      return "delivered";
    case AttemptOutcome::Retry:
      return "retry";
    case AttemptOutcome::Gone:
      return "gone";
    case AttemptOutcome::Rejected:
      return "rejected";
    case AttemptOutcome::Blocked:
      return "blocked";
  }
  return "unknown";
}

std::string describeResult(const DeliveryResult& result) {
  if (result.blocked) {
    return "blocked: " + result.error;
  }
  if (result.curl_code != 0) {
    return "network: " + result.error + " (curl " + std::to_string(result.curl_code) + ")";
  }
  return "http " + std::to_string(result.http_status);
}

}  // namespace hookline
