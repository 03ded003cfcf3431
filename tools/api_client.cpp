#include "tools/api_client.hpp"

#include <curl/curl.h>

#include <memory>
#include <nlohmann/json.hpp>

namespace hookline {
namespace {

struct EasyDeleter {
  void operator()(CURL* easy) const noexcept { curl_easy_cleanup(easy); }
};
struct ListDeleter {
  void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};

size_t appendBody(char* data, size_t size, size_t count, void* out) noexcept {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

}  // namespace

Expected<ApiReply> callSetWebhook(std::string_view api_base_url, std::string_view api_key,
                                  std::string_view channel_id, std::string_view webhook_url,
                                  EventMask events) {
  nlohmann::json body;
  body["url"] = webhook_url;
  body["events"] = nlohmann::json::object();
  for (EventKind kind : kAllEventKinds) {
    body["events"][std::string(eventKindName(kind))] = events.contains(kind);
  }
  const std::string text = body.dump();
  const std::string url =
      std::string(api_base_url) + "/api/integrations/" + std::string(channel_id) + "/setWebhook";
  const std::string key_header = "X-API-Key: " + std::string(api_key);

  std::unique_ptr<CURL, EasyDeleter> easy(curl_easy_init());
  std::unique_ptr<curl_slist, ListDeleter> headers(
      curl_slist_append(nullptr, "Content-Type: application/json"));
  curl_slist_append(headers.get(), key_header.c_str());
  ApiReply reply;
  curl_easy_setopt(easy.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy.get(), CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(easy.get(), CURLOPT_POSTFIELDS, text.c_str());
  curl_easy_setopt(easy.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(text.size()));
  curl_easy_setopt(easy.get(), CURLOPT_WRITEFUNCTION, appendBody);
  curl_easy_setopt(easy.get(), CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(easy.get(), CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_setopt(easy.get(), CURLOPT_NOSIGNAL, 1L);
  const CURLcode code = curl_easy_perform(easy.get());
  if (code != CURLE_OK) {
    return Error{std::string("setWebhook call failed: ") + curl_easy_strerror(code)};
  }
  curl_easy_getinfo(easy.get(), CURLINFO_RESPONSE_CODE, &reply.status);
  return reply;
}

}  // namespace hookline
