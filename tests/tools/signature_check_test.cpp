#include "tools/signature_check.hpp"

#include <gtest/gtest.h>

#include "tests/support/standard_webhooks_vector.hpp"

namespace hookline {
namespace {

using namespace hookline::testing;

const auto kThen = std::chrono::system_clock::time_point(std::chrono::seconds(1614265330));

Signer signer() {
  return std::move(Signer::fromSecrets({std::string(kVectorSecret)})).value();
}

TEST(SignatureCheckTest, AcceptsTheKnownVector) {
  EXPECT_EQ(
      checkSignature(signer(), kVectorId, kVectorTimestamp, kVectorBody, kVectorSignature, kThen),
      SignatureVerdict::Valid);
}

TEST(SignatureCheckTest, AcceptsWhenAnyOfSeveralSignaturesMatches) {
  const std::string header =
      "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= " + std::string(kVectorSignature);
  EXPECT_EQ(checkSignature(signer(), kVectorId, kVectorTimestamp, kVectorBody, header, kThen),
            SignatureVerdict::Valid);
}

TEST(SignatureCheckTest, RejectsAChangedBody) {
  EXPECT_EQ(checkSignature(signer(), kVectorId, kVectorTimestamp, R"({"test": 2432232315})",
                           kVectorSignature, kThen),
            SignatureVerdict::Mismatch);
}

TEST(SignatureCheckTest, RejectsAStaleTimestamp) {
  EXPECT_EQ(checkSignature(signer(), kVectorId, kVectorTimestamp, kVectorBody, kVectorSignature,
                           kThen + std::chrono::minutes(6)),
            SignatureVerdict::Stale);
}

TEST(SignatureCheckTest, ReportsMissingHeaders) {
  EXPECT_EQ(checkSignature(signer(), kVectorId, kVectorTimestamp, kVectorBody, "", kThen),
            SignatureVerdict::Missing);
}

}  // namespace
}  // namespace hookline
