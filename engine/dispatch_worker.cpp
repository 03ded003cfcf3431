#include "engine/dispatch_worker.hpp"

#include <boost/asio/post.hpp>

#include <chrono>

#include "dispatcher/signer.hpp"
#include "engine/envelope.hpp"

namespace hookline {

DispatchWorker::DispatchWorker(HttpClientOptions client_options, AttemptSettings attempt, Done done)
    : client_options_(std::move(client_options)),
      attempt_(attempt),
      endpoints_(attempt.max_per_endpoint),
      done_(std::move(done)) {}

DispatchWorker::~DispatchWorker() {
  stop();
}

void DispatchWorker::start() {
  work_.emplace(io_.get_executor());
  client_ = std::make_unique<HttpClient>(io_, client_options_);
  thread_ = std::thread([this] {
    io_.run();
    client_.reset();
  });
}

void DispatchWorker::submit(DeliveryJob job) {
  bool was_empty = false;
  {
    std::lock_guard lock(inbox_mutex_);
    was_empty = inbox_.empty();
    inbox_.push_back(std::move(job));
  }
  // A drain is already queued while the inbox holds anything.
  if (was_empty) {
    boost::asio::post(io_, [this] { drainInbox(); });
  }
}

void DispatchWorker::drainInbox() {
  {
    std::lock_guard lock(inbox_mutex_);
    draining_.swap(inbox_);
  }
  for (auto& job : draining_) {
    admit(std::make_shared<DeliveryJob>(std::move(job)));
  }
  draining_.clear();  // keeps its capacity for the next swap
}

void DispatchWorker::admit(std::shared_ptr<DeliveryJob> job) {
  const std::string endpoint = endpointOf(job->url);
  if (endpoints_.admit(endpoint, job)) {
    send(std::move(job));
  }
}

void DispatchWorker::stop() {
  if (!thread_.joinable()) {
    return;
  }
  work_.reset();
  io_.stop();
  thread_.join();
}

void DispatchWorker::send(std::shared_ptr<DeliveryJob> job) {
  const auto now = std::chrono::system_clock::now();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch());

  const std::string timestamp = std::to_string(seconds.count());

  DeliveryRequest request;
  request.url = job->url;
  buildEnvelope(job->event, request.body);
  request.headers = {{"Content-Type", "application/json"},
                     {"webhook-id", job->event.event_id},
                     {"webhook-timestamp", timestamp}};
  // Signed over exactly the bytes handed to curl, with this attempt's own timestamp.
  if (const Signer* signer = signerFor(job->secrets); signer != nullptr && !signer->empty()) {
    request.headers.emplace_back("webhook-signature",
                                 signer->sign(job->event.event_id, timestamp, request.body));
  }
  request.connect_timeout = attempt_.connect_timeout;
  request.total_timeout = attempt_.total_timeout;
  request.allow_http = attempt_.allow_http;

  client_->send(std::move(request), [this, job](DeliveryResult result) {
    done_(*job, result);
    if (auto next = endpoints_.release(endpointOf(job->url))) {
      send(std::move(next));
    }
  });
}

const Signer* DispatchWorker::signerFor(const std::vector<std::string>& secrets) {
  constexpr std::size_t kMaxSigners = 4096;
  std::string key;
  for (const auto& secret : secrets) {
    key += secret;
    key += '\n';  // never inside a secret (whsec_ and base64)
  }
  auto found = signers_.find(key);
  if (found == signers_.end()) {
    if (signers_.size() >= kMaxSigners) {
      signers_.clear();
    }
    auto made = Signer::fromSecrets(secrets);
    found =
        signers_
            .emplace(std::move(key), made ? std::optional<Signer>(std::move(*made)) : std::nullopt)
            .first;
  }
  return found->second ? &*found->second : nullptr;
}

}  // namespace hookline
