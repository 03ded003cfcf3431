#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "dispatcher/outcome.hpp"
#include "dispatcher/signer.hpp"
#include "engine/envelope.hpp"
#include "engine/event.hpp"
#include "tools/sample_payloads.hpp"

namespace hookline {
namespace {

// A sample payload padded with a filler field up to about `bytes`, so sizes from 300 B to
// 64 KiB use realistic shapes.
std::string payloadOfSize(std::size_t bytes) {
  std::string payload(samplesOf(EventKind::MessageStatus).front().json);
  while (!payload.empty() && payload.back() != '}') {
    payload.pop_back();  // trailing white space
  }
  if (payload.size() + 16 < bytes) {
    payload.pop_back();  // the closing brace, reopened for one more field
    payload += ",\"filler\":\"" + std::string(bytes - payload.size() - 14, 'x') + "\"}";
  }
  return payload;
}

StreamFields entryFields(std::size_t bytes) {
  return {{"type", "message_status"},
          {"channel_id", "ch_bench"},
          {"payload", payloadOfSize(bytes)},
          {"occurred_at", "1796401821123"}};
}

void BM_ParseStreamEntry(benchmark::State& state) {
  const StreamFields fields = entryFields(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    auto event = parseStreamEntry("hookline:events", "1796401821123-0", fields);
    benchmark::DoNotOptimize(event);
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_ParseStreamEntry)->Arg(300)->Arg(4096)->Arg(65536);

void BM_BuildAndSignDelivery(benchmark::State& state) {
  auto event = parseStreamEntry("hookline:events", "1796401821123-0",
                                entryFields(static_cast<std::size_t>(state.range(0))));
  if (!event) {
    state.SkipWithError(event.error().reason.c_str());
    return;
  }
  const auto signer =
      std::move(Signer::fromSecrets({"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"})).value();
  std::string body;
  for (auto _ : state) {
    buildEnvelope(*event, body);
    auto signature = signer.sign(event->event_id, "1796401821", body);
    benchmark::DoNotOptimize(signature);
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_BuildAndSignDelivery)->Arg(300)->Arg(4096)->Arg(65536);

// What each attempt paid before signers were kept per worker: decoding the secret and keying
// HMAC for every message. Compare with BM_BuildAndSignDelivery.
void BM_SignDecodingSecretEachTime(benchmark::State& state) {
  auto event = parseStreamEntry("hookline:events", "1796401821123-0",
                                entryFields(static_cast<std::size_t>(state.range(0))));
  if (!event) {
    state.SkipWithError(event.error().reason.c_str());
    return;
  }
  const std::vector<std::string> secrets = {"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"};
  std::string body;
  for (auto _ : state) {
    buildEnvelope(*event, body);
    auto signer = Signer::fromSecrets(secrets);
    auto signature = signer->sign(event->event_id, "1796401821", body);
    benchmark::DoNotOptimize(signature);
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_SignDecodingSecretEachTime)->Arg(300)->Arg(4096)->Arg(65536);

void BM_ClassifyAttempt(benchmark::State& state) {
  DeliveryResult result;
  result.http_status = 503;
  for (auto _ : state) {
    benchmark::DoNotOptimize(classifyAttempt(result));
  }
}
BENCHMARK(BM_ClassifyAttempt);

}  // namespace
}  // namespace hookline
