#pragma once

#include <string_view>

#include "common/expected.hpp"
#include "engine/api/api_response.hpp"
#include "registry/registry_store.hpp"

namespace hookline {

inline constexpr std::string_view kApiKeyHeader = "X-API-Key";

enum class ChannelAccess { Granted, Unauthorized, InvalidChannel };

// The check every channel route makes first, in this order: exactly one X-API-Key header, a
// known unrevoked key (else Unauthorized), then a channel owned by the key's account (else
// InvalidChannel, the same for a missing channel and another account's). An Error means the
// store could not answer.
Expected<ChannelAccess> checkChannelAccess(RegistryStore& store, const ApiRequest& request,
                                           std::string_view channel_id);

}  // namespace hookline
