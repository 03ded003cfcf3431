#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "tools/receiver_server.hpp"

namespace hookline::testing {

// Answers per request path from a script: the n-th request to a path gets the n-th reply, and
// the last reply repeats. Unscripted paths get 200. Thread-safe.
class ScriptedReplies {
 public:
  void script(const std::string& path, std::vector<ReceiverReply> replies) {
    std::lock_guard lock(state_->mutex);
    state_->scripts[path] = std::move(replies);
  }

  ReceiverServer::Handler handler() const {
    return [state = state_](const ReceivedRequest& request) {
      std::lock_guard lock(state->mutex);
      auto found = state->scripts.find(request.target);
      if (found == state->scripts.end() || found->second.empty()) {
        return ReceiverReply{};
      }
      const std::size_t n = state->served[request.target]++;
      return found->second[std::min(n, found->second.size() - 1)];
    };
  }

 private:
  struct State {
    std::mutex mutex;
    std::map<std::string, std::vector<ReceiverReply>> scripts;
    std::map<std::string, std::size_t> served;
  };
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

inline ReceiverReply replyWith(int status) {
  ReceiverReply reply;
  reply.status = status;
  return reply;
}

}  // namespace hookline::testing
