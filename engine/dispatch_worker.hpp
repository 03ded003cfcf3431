#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "dispatcher/http_client.hpp"
#include "dispatcher/signer.hpp"
#include "engine/endpoint_queues.hpp"
#include "engine/event.hpp"

namespace hookline {

// One attempt of one event on its way to a webhook.
struct DeliveryJob {
  Event event;
  std::string url;
  std::vector<std::string> secrets;  // signing secrets, newest first
  int attempt = 1;                   // 1 for the first try
  std::string retry_id;              // set when this attempt comes from the retry store
  std::string stream;
  bool circuit_probe = false;  // the one attempt testing an endpoint whose circuit was open
};

// Limits of one attempt, from configuration.
struct AttemptSettings {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds total_timeout{15000};
  bool allow_http = false;
  // Deliveries in flight to one endpoint (scheme, host, port) from one dispatch worker.
  std::size_t max_per_endpoint = 64;
};

// One dispatcher thread: an io_context running an HttpClient (curl multi). Jobs arrive from
// any thread through an inbox that the io thread drains in one go, so a batch read from the
// stream costs one wake-up rather than one per job; the body is built and sent on the worker's
// thread; `done` runs there too.
class DispatchWorker {
 public:
  using Done = std::function<void(DeliveryJob& job, const DeliveryResult& result)>;

  DispatchWorker(HttpClientOptions client_options, AttemptSettings attempt, Done done);
  ~DispatchWorker();

  DispatchWorker(const DispatchWorker&) = delete;
  DispatchWorker& operator=(const DispatchWorker&) = delete;

  void start();
  // Thread-safe.
  void submit(DeliveryJob job);
  // Ends the thread at once; transfers still running are dropped without their `done` (their
  // entries stay pending in Redis and are re-read by this consumer).
  void stop();

 private:
  void drainInbox();
  void admit(std::shared_ptr<DeliveryJob> job);
  void send(std::shared_ptr<DeliveryJob> job);
  // The signer of a set of secrets, decoded and keyed on first use; nullptr when the secrets
  // are malformed (the delivery then goes unsigned, as before).
  const Signer* signerFor(const std::vector<std::string>& secrets);

  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  HttpClientOptions client_options_;
  std::unique_ptr<HttpClient> client_;  // created and destroyed on the worker thread
  AttemptSettings attempt_;
  EndpointQueues<DeliveryJob> endpoints_;  // io thread only
  // Signers by their secrets joined with '\n' (io thread only). Emptied when it grows past a
  // bound, so rotated-away secrets do not pile up.
  std::unordered_map<std::string, std::optional<Signer>> signers_;
  Done done_;
  std::mutex inbox_mutex_;
  std::vector<DeliveryJob> inbox_;     // submitted, not yet drained; guarded by inbox_mutex_
  std::vector<DeliveryJob> draining_;  // io thread only
  std::thread thread_;
};

}  // namespace hookline
