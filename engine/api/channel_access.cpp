#include "engine/api/channel_access.hpp"

namespace hookline {

Expected<ChannelAccess> checkChannelAccess(RegistryStore& store, const ApiRequest& request,
                                           std::string_view channel_id) {
  // A repeated X-API-Key header is ambiguous; it is treated like a missing one.
  if (request.count(kApiKeyHeader) != 1) {
    return ChannelAccess::Unauthorized;
  }
  auto account = store.accountForKey(request[kApiKeyHeader]);
  if (!account) {
    return account.error();
  }
  if (!account->has_value()) {
    return ChannelAccess::Unauthorized;
  }
  auto owner = store.channelAccount(channel_id);
  if (!owner) {
    return owner.error();
  }
  if (!owner->has_value() || **owner != **account) {
    return ChannelAccess::InvalidChannel;
  }
  return ChannelAccess::Granted;
}

}  // namespace hookline
