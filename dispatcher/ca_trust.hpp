#pragma once

#include <string>

namespace hookline {

struct HttpClientOptions;

// The certificate authorities deliveries trust, as one PEM bundle.
//
// Why a bundle of our own: with the OpenSSL backend, CURLOPT_CAINFO *replaces* libcurl's
// built-in bundle (Debian's: /etc/ssl/certs/ca-certificates.crt). Only the built-in CA
// directory (CURLOPT_CAPATH, Debian's /etc/ssl/certs) would still be searched, and a libcurl
// built without one would trust nothing but the operator's file. So an extra CA file is
// concatenated after the default bundle and handed to curl as CURLOPT_CAINFO_BLOB; the default
// CA directory is left as libcurl set it. The result is "defaults plus --ca-file" whatever the
// build.
//
// Returns "" when nothing was asked for (curl's own defaults apply untouched). Throws
// std::runtime_error when a file named in the options cannot be read or holds no certificate
// (start-up only); a missing *built-in* bundle is only logged, since the CA directory may
// still hold the system's CAs.
std::string loadCaTrust(const HttpClientOptions& options);

}  // namespace hookline
