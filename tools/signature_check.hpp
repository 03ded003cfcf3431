#pragma once

#include <chrono>
#include <string_view>

#include "dispatcher/signer.hpp"

namespace hookline {

enum class SignatureVerdict { Valid, Missing, Stale, Mismatch };

// Checks a delivery as a Standard Webhooks receiver does: the timestamp within `tolerance` of
// `now`, and one of the space-separated "v1,<sig>" entries of the header equal (compared in
// constant time) to the signature `signer` computes over id.timestamp.body.
SignatureVerdict checkSignature(const Signer& signer, std::string_view id,
                                std::string_view timestamp, std::string_view body,
                                std::string_view header, std::chrono::system_clock::time_point now,
                                std::chrono::seconds tolerance = std::chrono::minutes(5));

std::string_view signatureVerdictName(SignatureVerdict verdict);

}  // namespace hookline
