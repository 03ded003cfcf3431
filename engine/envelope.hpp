#pragma once

#include <string>

#include "engine/event.hpp"

namespace hookline {

// Writes the delivery body of DESIGN.md section 3 into `out` (replacing its contents):
//   {"id":...,"type":...,"channel_id":...,"occurred_at":<RFC 3339>,"data":<payload>}
// The payload was validated as a JSON object when the entry was parsed, so its text is
// spliced in as is: the receiver gets the producer's bytes, never a re-rendering.
void buildEnvelope(const Event& event, std::string& out);
std::string buildEnvelope(const Event& event);

}  // namespace hookline
