#include "tools/signature_check.hpp"

#include <gtest/gtest.h>

namespace hookline {
namespace {

// The published Standard Webhooks vector, judged at its own time.
constexpr std::string_view kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr std::string_view kId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr std::string_view kTimestamp = "1614265330";
constexpr std::string_view kBody = R"({"test": 2432232314})";
constexpr std::string_view kSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
const auto kThen = std::chrono::system_clock::time_point(std::chrono::seconds(1614265330));

Signer signer() {
  return std::move(Signer::fromSecrets({std::string(kSecret)})).value();
}

TEST(SignatureCheckTest, AcceptsTheKnownVector) {
  EXPECT_EQ(checkSignature(signer(), kId, kTimestamp, kBody, kSignature, kThen),
            SignatureVerdict::Valid);
}

TEST(SignatureCheckTest, AcceptsWhenAnyOfSeveralSignaturesMatches) {
  const std::string header =
      "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= " + std::string(kSignature);
  EXPECT_EQ(checkSignature(signer(), kId, kTimestamp, kBody, header, kThen),
            SignatureVerdict::Valid);
}

TEST(SignatureCheckTest, RejectsAChangedBody) {
  EXPECT_EQ(checkSignature(signer(), kId, kTimestamp, R"({"test": 2432232315})", kSignature, kThen),
            SignatureVerdict::Mismatch);
}

TEST(SignatureCheckTest, RejectsAStaleTimestamp) {
  EXPECT_EQ(
      checkSignature(signer(), kId, kTimestamp, kBody, kSignature, kThen + std::chrono::minutes(6)),
      SignatureVerdict::Stale);
}

TEST(SignatureCheckTest, ReportsMissingHeaders) {
  EXPECT_EQ(checkSignature(signer(), kId, kTimestamp, kBody, "", kThen), SignatureVerdict::Missing);
}

}  // namespace
}  // namespace hookline
