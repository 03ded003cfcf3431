#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/host_resolver.hpp"

namespace hookline::testing {

// A public-looking address that appears only as data in a fake resolver's answers; nothing in
// the tests ever connects to it.
inline constexpr const char* kPublicTestAddress = "93.184.216.34";

// A HostResolver answering from a table, so tests never reach real DNS. Names not in the table
// do not resolve; "*" answers for every name not listed. The table may be changed while the
// resolver is in use (answers are copied under a lock).
class FakeResolver {
 public:
  FakeResolver() : state_(std::make_shared<State>()) {}

  FakeResolver& map(const std::string& name, std::vector<std::string> addresses) {
    std::lock_guard lock(state_->mutex);
    state_->table[name] = std::move(addresses);
    return *this;
  }

  HostResolver resolver() const {
    return [state = state_](const std::string& host) -> Expected<std::vector<IpAddress>> {
      std::lock_guard lock(state->mutex);
      auto found = state->table.find(host);
      if (found == state->table.end()) {
        found = state->table.find("*");
      }
      if (found == state->table.end()) {
        return Error{"does not resolve"};
      }
      std::vector<IpAddress> addresses;
      for (const auto& text : found->second) {
        if (auto address = parseIpAddress(text)) {
          addresses.push_back(*address);
        }
      }
      return addresses;
    };
  }

 private:
  struct State {
    std::mutex mutex;
    std::map<std::string, std::vector<std::string>> table;
  };
  std::shared_ptr<State> state_;
};

// Every name resolves to kPublicTestAddress.
inline HostResolver publicResolver() {
  return FakeResolver().map("*", {kPublicTestAddress}).resolver();
}

}  // namespace hookline::testing
