#include "dispatcher/ca_trust.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include "dispatcher/http_client.hpp"

namespace hookline {
namespace {

constexpr std::string_view kPemCertificate = "-----BEGIN CERTIFICATE-----";

bool readFile(const std::string& path, std::string& out) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return false;
  }
  std::ostringstream text;
  text << file.rdbuf();
  out = text.str();
  return !file.bad();
}

}  // namespace

std::string loadCaTrust(const HttpClientOptions& options) {
  if (options.ca_file.empty() && options.default_ca_file.empty()) {
    return {};
  }
  const curl_version_info_data* info = curl_version_info(CURLVERSION_NOW);
  const std::string built_in_file = info->cainfo != nullptr ? info->cainfo : "";
  const std::string built_in_path = info->capath != nullptr ? info->capath : "";

  std::string bundle;
  const std::string& default_file =
      options.default_ca_file.empty() ? built_in_file : options.default_ca_file;
  if (!default_file.empty() && !readFile(default_file, bundle)) {
    if (!options.default_ca_file.empty()) {
      throw std::runtime_error("cannot read the CA bundle " + default_file);
    }
    spdlog::warn("tls default CA bundle unreadable file={} capath={}", default_file,
                 built_in_path.empty() ? "-" : built_in_path);
  }

  std::string extra;
  if (!options.ca_file.empty()) {
    if (!readFile(options.ca_file, extra)) {
      throw std::runtime_error("cannot read --ca-file " + options.ca_file);
    }
    if (extra.find(kPemCertificate) == std::string::npos) {
      throw std::runtime_error("--ca-file " + options.ca_file + " holds no PEM certificate");
    }
  }
  if (!bundle.empty() && bundle.back() != '\n') {
    bundle += '\n';
  }
  bundle += extra;
  spdlog::info("tls trust default_bundle={} default_capath={} extra_ca_file={} bytes={}",
               default_file.empty() ? "-" : default_file,
               built_in_path.empty() ? "-" : built_in_path,
               options.ca_file.empty() ? "-" : options.ca_file, bundle.size());
  return bundle;
}

}  // namespace hookline
