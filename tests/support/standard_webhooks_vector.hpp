#pragma once

#include <string_view>

namespace hookline::testing {

// The published Standard Webhooks known-answer vector.
inline constexpr std::string_view kVectorSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
inline constexpr std::string_view kVectorId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
inline constexpr std::string_view kVectorTimestamp = "1614265330";
inline constexpr std::string_view kVectorBody = R"({"test": 2432232314})";
inline constexpr std::string_view kVectorSignature =
    "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

}  // namespace hookline::testing
