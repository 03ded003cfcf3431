#include "tests/support/test_pki.hpp"

#include <stdlib.h>
#include <atomic>
#include <cstdio>
#include <functional>
#include <stdexcept>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace hookline::testing {
namespace {

using KeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using CertPtr = std::unique_ptr<X509, decltype(&X509_free)>;

KeyPtr newKey() {
  KeyPtr key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  if (!key) {
    throw std::runtime_error("cannot make a test key");
  }
  return key;
}

void addExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
  if (extension == nullptr) {
    throw std::runtime_error("cannot make the certificate extension " + value);
  }
  X509_add_ext(cert, extension, -1);
  X509_EXTENSION_free(extension);
}

// A certificate for `key` named `common_name`, without extensions and not yet signed. Every
// certificate gets a serial of its own: a client that sees two with one issuer and one serial
// may refuse them.
CertPtr newCertificate(EVP_PKEY* key, const std::string& common_name) {
  static std::atomic<long> next_serial{1};
  CertPtr cert(X509_new(), X509_free);
  if (!cert) {
    throw std::runtime_error("cannot make a test certificate");
  }
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), next_serial++);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(cert.get()), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  return cert;
}

void sign(X509* cert, X509* issuer, EVP_PKEY* issuer_key) {
  X509_set_issuer_name(cert, X509_get_subject_name(issuer));
  if (X509_sign(cert, issuer_key, EVP_sha256()) == 0) {
    throw std::runtime_error("cannot sign a test certificate");
  }
}

void writePem(const std::string& path, const std::function<int(FILE*)>& write) {
  FILE* file = std::fopen(path.c_str(), "w");
  if (file == nullptr || write(file) == 0) {
    if (file != nullptr) {
      std::fclose(file);
    }
    throw std::runtime_error("cannot write " + path);
  }
  std::fclose(file);
}

TestCertificate writeFiles(const std::filesystem::path& directory, const std::string& stem,
                           X509* cert, EVP_PKEY* key) {
  TestCertificate files{(directory / (stem + ".crt")).string(),
                        (directory / (stem + ".key")).string()};
  writePem(files.cert_file, [&](FILE* file) { return PEM_write_X509(file, cert); });
  writePem(files.key_file, [&](FILE* file) {
    return PEM_write_PrivateKey(file, key, nullptr, nullptr, 0, nullptr, nullptr);
  });
  return files;
}

void addServerExtensions(X509* cert, X509* issuer, const std::string& subject_alt_names) {
  addExtension(cert, issuer, NID_basic_constraints, "critical,CA:FALSE");
  addExtension(cert, issuer, NID_key_usage, "critical,digitalSignature");
  addExtension(cert, issuer, NID_ext_key_usage, "serverAuth");
  addExtension(cert, issuer, NID_subject_alt_name, subject_alt_names);
}

}  // namespace

struct TestPki::Keys {
  KeyPtr ca_key{nullptr, EVP_PKEY_free};
  CertPtr ca_cert{nullptr, X509_free};
};

TestPki::TestPki(const std::string& name) : keys_(std::make_unique<Keys>()) {
  std::string pattern = (std::filesystem::temp_directory_path() / "hookline-pki-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("mkdtemp failed");
  }
  directory_ = pattern;

  keys_->ca_key = newKey();
  keys_->ca_cert = newCertificate(keys_->ca_key.get(), name);
  X509* ca = keys_->ca_cert.get();
  addExtension(ca, ca, NID_basic_constraints, "critical,CA:TRUE");
  addExtension(ca, ca, NID_key_usage, "critical,keyCertSign,cRLSign");
  addExtension(ca, ca, NID_subject_key_identifier, "hash");
  sign(ca, ca, keys_->ca_key.get());
  ca_ = writeFiles(directory_, "ca", ca, keys_->ca_key.get());
}

TestPki::~TestPki() {
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

TestCertificate TestPki::issue(const std::string& file_stem, const std::string& subject_alt_names) {
  KeyPtr key = newKey();
  CertPtr cert = newCertificate(key.get(), file_stem);
  addServerExtensions(cert.get(), keys_->ca_cert.get(), subject_alt_names);
  addExtension(cert.get(), keys_->ca_cert.get(), NID_authority_key_identifier, "keyid:always");
  sign(cert.get(), keys_->ca_cert.get(), keys_->ca_key.get());
  return writeFiles(directory_, file_stem, cert.get(), key.get());
}

TestCertificate TestPki::selfSigned(const std::string& file_stem,
                                    const std::string& subject_alt_names) {
  KeyPtr key = newKey();
  CertPtr cert = newCertificate(key.get(), file_stem);
  addServerExtensions(cert.get(), cert.get(), subject_alt_names);
  sign(cert.get(), cert.get(), key.get());
  return writeFiles(directory_, file_stem, cert.get(), key.get());
}

}  // namespace hookline::testing
