#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace hookline::testing {

// A certificate and its private key, written as PEM files.
struct TestCertificate {
  std::string cert_file;
  std::string key_file;
};

// A throwaway public-key infrastructure for TLS tests, made with OpenSSL's API at test time in
// a temporary folder of its own (removed by the destructor): a CA, and certificates it signs
// or that sign themselves. Keys are P-256; certificates are valid from a minute ago for a day.
//
// Subject alternative names are given in OpenSSL's text form, e.g. "IP:127.0.0.1,DNS:localhost".
class TestPki {
 public:
  // Makes the CA; `name` becomes its common name. Throws std::runtime_error on any failure.
  explicit TestPki(const std::string& name = "hookline test CA");
  ~TestPki();
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  // The CA's own certificate: what a client trusts (HttpClientOptions::ca_file).
  const std::string& caFile() const { return ca_.cert_file; }

  // A server certificate signed by this CA for the given names; `file_stem` names the files.
  TestCertificate issue(const std::string& file_stem, const std::string& subject_alt_names);
  // A certificate for the given names that signs itself (no CA vouches for it).
  TestCertificate selfSigned(const std::string& file_stem, const std::string& subject_alt_names);

  // The names of a certificate for 127.0.0.1 and localhost.
  static constexpr const char* kLoopbackNames = "IP:127.0.0.1,DNS:localhost";

 private:
  struct Keys;

  std::filesystem::path directory_;
  std::unique_ptr<Keys> keys_;
  TestCertificate ca_;
};

}  // namespace hookline::testing
