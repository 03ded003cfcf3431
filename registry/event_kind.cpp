#include "registry/event_kind.hpp"

namespace hookline {

std::string_view eventKindName(EventKind kind) {
  switch (kind) {
    case EventKind::MessageIncoming:
      return "message_incoming";
    case EventKind::MessageOutgoing:
      return "message_outgoing";
    case EventKind::MessageStatus:
      return "message_status";
    case EventKind::TemplateUpdate:
      return "template_update";
    case EventKind::ChannelUpdate:
      return "channel_update";
  }
  return "unknown";
}

std::optional<EventKind> parseEventKind(std::string_view name) {
  for (EventKind kind : kAllEventKinds) {
    if (eventKindName(kind) == name) {
      return kind;
    }
  }
  return std::nullopt;
}

}  // namespace hookline
