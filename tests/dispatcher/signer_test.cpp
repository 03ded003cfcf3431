#include "dispatcher/signer.hpp"
#include "registry/webhook_secret.hpp"

#include <gtest/gtest.h>

#include "tests/support/standard_webhooks_vector.hpp"

namespace hookline {
namespace {

using namespace hookline::testing;

TEST(SignerTest, MatchesTheStandardWebhooksVector) {
  auto signer = Signer::fromSecrets({std::string(kVectorSecret)});
  ASSERT_TRUE(signer.ok());
  EXPECT_EQ(signer->sign(kVectorId, kVectorTimestamp, kVectorBody), kVectorSignature);
}

TEST(SignerTest, SignsWithEverySecretDuringARotation) {
  const std::string fresh = generateWebhookSecret();
  auto both = Signer::fromSecrets({fresh, std::string(kVectorSecret)});
  auto only_fresh = Signer::fromSecrets({fresh});
  ASSERT_TRUE(both.ok());
  ASSERT_TRUE(only_fresh.ok());
  EXPECT_EQ(both->sign(kVectorId, kVectorTimestamp, kVectorBody),
            only_fresh->sign(kVectorId, kVectorTimestamp, kVectorBody) + " " +
                std::string(kVectorSignature));
}

TEST(SignerTest, SignatureCoversIdTimestampAndEveryBodyByte) {
  auto signer = Signer::fromSecrets({std::string(kVectorSecret)});
  ASSERT_TRUE(signer.ok());
  const std::string base = signer->sign(kVectorId, kVectorTimestamp, kVectorBody);
  EXPECT_NE(signer->sign("msg_other", kVectorTimestamp, kVectorBody), base);
  EXPECT_NE(signer->sign(kVectorId, "1614265331", kVectorBody), base);
  EXPECT_NE(signer->sign(kVectorId, kVectorTimestamp, R"({"test":2432232314})"), base);
}

TEST(SignerTest, GeneratedSecretsHaveThePrefixAndEnoughEntropy) {
  const std::string secret = generateWebhookSecret();
  EXPECT_EQ(secret.substr(0, 6), "whsec_");
  EXPECT_EQ(secret.size(), 6u + 44u);  // 32 bytes in base64
  EXPECT_NE(secret, generateWebhookSecret());
  EXPECT_TRUE(Signer::fromSecrets({secret}).ok());
}

TEST(SignerTest, RejectsMalformedSecrets) {
  EXPECT_FALSE(Signer::fromSecrets({"MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}).ok());
  EXPECT_FALSE(Signer::fromSecrets({"whsec_!!!"}).ok());
  EXPECT_FALSE(Signer::fromSecrets({"whsec_"}).ok());
}

}  // namespace
}  // namespace hookline
