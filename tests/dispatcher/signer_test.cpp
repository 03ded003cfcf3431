#include "dispatcher/signer.hpp"

#include <gtest/gtest.h>

namespace hookline {
namespace {

// The published Standard Webhooks known-answer vector.
constexpr std::string_view kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr std::string_view kId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr std::string_view kTimestamp = "1614265330";
constexpr std::string_view kBody = R"({"test": 2432232314})";
constexpr std::string_view kSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

TEST(SignerTest, MatchesTheStandardWebhooksVector) {
  auto signer = Signer::fromSecrets({std::string(kSecret)});
  ASSERT_TRUE(signer.ok());
  EXPECT_EQ(signer->sign(kId, kTimestamp, kBody), kSignature);
}

TEST(SignerTest, SignsWithEverySecretDuringARotation) {
  const std::string fresh = generateSigningSecret();
  auto both = Signer::fromSecrets({fresh, std::string(kSecret)});
  auto only_fresh = Signer::fromSecrets({fresh});
  ASSERT_TRUE(both.ok());
  ASSERT_TRUE(only_fresh.ok());
  EXPECT_EQ(both->sign(kId, kTimestamp, kBody),
            only_fresh->sign(kId, kTimestamp, kBody) + " " + std::string(kSignature));
}

TEST(SignerTest, SignatureCoversIdTimestampAndEveryBodyByte) {
  auto signer = Signer::fromSecrets({std::string(kSecret)});
  ASSERT_TRUE(signer.ok());
  const std::string base = signer->sign(kId, kTimestamp, kBody);
  EXPECT_NE(signer->sign("msg_other", kTimestamp, kBody), base);
  EXPECT_NE(signer->sign(kId, "1614265331", kBody), base);
  EXPECT_NE(signer->sign(kId, kTimestamp, R"({"test":2432232314})"), base);
}

TEST(SignerTest, GeneratedSecretsHaveThePrefixAndEnoughEntropy) {
  const std::string secret = generateSigningSecret();
  EXPECT_EQ(secret.substr(0, 6), "whsec_");
  EXPECT_EQ(secret.size(), 6u + 44u);  // 32 bytes in base64
  EXPECT_NE(secret, generateSigningSecret());
  EXPECT_TRUE(Signer::fromSecrets({secret}).ok());
}

TEST(SignerTest, RejectsMalformedSecrets) {
  EXPECT_FALSE(Signer::fromSecrets({"MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}).ok());
  EXPECT_FALSE(Signer::fromSecrets({"whsec_!!!"}).ok());
  EXPECT_FALSE(Signer::fromSecrets({"whsec_"}).ok());
}

}  // namespace
}  // namespace hookline
