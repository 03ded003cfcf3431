#include "tools/status_report.hpp"

#include <cstdio>
#include <limits>

#include "engine/retry_store.hpp"
#include "registry/registry_store.hpp"

namespace hookline {
namespace {

constexpr std::size_t kRecentAttempts = 100;
constexpr std::size_t kRetryScanBatch = 1000;

// Upper ends of the due-time buckets, after now; the last bucket is open.
struct DueEdge {
  const char* label;
  std::int64_t within_ms;
};
constexpr DueEdge kDueEdges[] = {{"<1m", 60'000},
                                 {"<10m", 600'000},
                                 {"<1h", 3'600'000},
                                 {"<6h", 21'600'000},
                                 {"<24h", 86'400'000}};

Expected<long long> zcount(RedisLink& link, const std::string& key, const std::string& min,
                           const std::string& max) {
  auto reply = link.commandOk({"ZCOUNT", key, min, max});
  if (!reply) {
    return reply.error();
  }
  return (*reply)->integer;
}

Status readRetriesByDue(RedisLink& link, const StatusRequest& request, StatusReport& report) {
  const std::string key = RetryStore(request.names.key_prefix).dueKey();
  const std::string now = std::to_string(request.now_ms);
  auto overdue = zcount(link, key, "-inf", now);
  if (!overdue) {
    return overdue.error();
  }
  report.retries_by_due.push_back({"overdue", *overdue});
  std::string lower = "(" + now;
  for (const auto& edge : kDueEdges) {
    const std::string upper = std::to_string(request.now_ms + edge.within_ms);
    auto count = zcount(link, key, lower, upper);
    if (!count) {
      return count.error();
    }
    report.retries_by_due.push_back({edge.label, *count});
    lower = "(" + upper;
  }
  auto later = zcount(link, key, lower, "+inf");
  if (!later) {
    return later.error();
  }
  report.retries_by_due.push_back({">24h", *later});
  return {};
}

// The newest dead letters, counted by reason and, for the requested channels, by channel.
Status readDeadLetters(RedisLink& link, const StatusRequest& request, StatusReport& report) {
  auto reply = link.commandOk({"XREVRANGE", request.names.dead_letter_stream, "+", "-", "COUNT",
                               std::to_string(request.dead_scan_limit)});
  if (!reply) {
    return reply.error();
  }
  for (std::size_t i = 0; i < (*reply)->elements; ++i) {
    const redisReply* fields = (*reply)->element[i]->element[1];
    const redisReply* reason = replyField(fields, "dead_reason");
    report.dead_by_reason[reason != nullptr ? replyString(reason) : "unknown"]++;
    const redisReply* channel = replyField(fields, "channel_id");
    for (auto& status : report.channels) {
      if (channel != nullptr && replyString(channel) == status.channel_id) {
        status.dead_letters++;
      }
    }
  }
  report.dead_scanned = (*reply)->elements;
  return {};
}

Status readCircuits(RedisLink& link, const StatusRequest& request, StatusReport& report) {
  auto reply = link.commandOk({"HGETALL", request.names.key_prefix + "circuits"});
  if (!reply) {
    return reply.error();
  }
  for (std::size_t i = 0; i + 1 < (*reply)->elements; i += 2) {
    CircuitStatus circuit{.endpoint = replyString((*reply)->element[i])};
    const auto state = nlohmann::json::parse(replyString((*reply)->element[i + 1]), nullptr, false);
    if (state.is_object()) {
      circuit.state = state.value("state", "");
      circuit.consecutive_failures = state.value("consecutive_failures", 0LL);
      circuit.next_probe_at_ms = state.value("next_probe_at_ms", std::int64_t{0});
    }
    report.circuits.push_back(std::move(circuit));
  }
  return {};
}

// Waiting retries per requested channel, found by decoding the retry items (bounded scan).
Status countChannelRetries(RedisLink& link, const StatusRequest& request, StatusReport& report) {
  const RetryStore store(request.names.key_prefix);
  std::string cursor = "0";
  std::size_t scanned = 0;
  do {
    auto reply = link.commandOk(
        {"HSCAN", store.itemsKey(), cursor, "COUNT", std::to_string(kRetryScanBatch)});
    if (!reply) {
      return reply.error();
    }
    cursor = replyString((*reply)->element[0]);
    const redisReply* items = (*reply)->element[1];
    for (std::size_t i = 0; i + 1 < items->elements; i += 2, ++scanned) {
      auto item =
          RetryStore::decode(replyString(items->element[i]), replyString(items->element[i + 1]));
      for (auto& status : report.channels) {
        if (item && item->event.channel_id == status.channel_id) {
          status.retries_waiting++;
        }
      }
    }
  } while (cursor != "0" && scanned < request.retry_scan_limit);
  return {};
}

Status readChannel(RedisLink& link, const StatusRequest& request, ChannelStatus& status) {
  RegistryStore store(link, request.names.key_prefix);
  auto webhook = store.getWebhook(status.channel_id);
  if (!webhook) {
    return webhook.error();
  }
  if (*webhook) {
    status.has_webhook = true;
    status.url = (*webhook)->url;
    status.disabled = (*webhook)->disabled;
    for (EventKind kind : kAllEventKinds) {
      if ((*webhook)->events.contains(kind)) {
        status.events.emplace_back(eventKindName(kind));
      }
    }
  }
  auto attempts =
      link.commandOk({"LRANGE", request.names.key_prefix + "attempts:" + status.channel_id, "0",
                      std::to_string(kRecentAttempts - 1)});
  if (!attempts) {
    return attempts.error();
  }
  for (std::size_t i = 0; i < (*attempts)->elements; ++i) {
    const auto record = nlohmann::json::parse(replyString((*attempts)->element[i]), nullptr, false);
    if (record.is_object()) {
      status.recent_attempts[record.value("outcome", "unknown")]++;
    }
  }
  return {};
}

std::string formatRow(const std::vector<std::string>& cells, const std::vector<int>& widths) {
  std::string line;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    std::string cell = cells[i];
    if (i + 1 < cells.size() && cell.size() < static_cast<std::size_t>(widths[i])) {
      cell.resize(static_cast<std::size_t>(widths[i]), ' ');
    }
    line += cell + (i + 1 < cells.size() ? "  " : "");
  }
  return line + "\n";
}

std::string joined(const std::vector<std::string>& parts) {
  std::string text;
  for (const auto& part : parts) {
    text += (text.empty() ? "" : ",") + part;
  }
  return text.empty() ? "-" : text;
}

std::string counts(const std::map<std::string, long long>& by_name) {
  std::vector<std::string> parts;
  for (const auto& [name, count] : by_name) {
    parts.push_back(name + "=" + std::to_string(count));
  }
  return joined(parts);
}

}  // namespace

Expected<StatusReport> readStatus(RedisLink& link, const StatusRequest& request) {
  StatusReport report{.names = request.names};
  auto queues = readQueueSnapshot(link, request.names);
  if (!queues) {
    return queues.error();
  }
  report.queues = std::move(queues).value();
  for (const auto& channel : request.channels) {
    report.channels.push_back(ChannelStatus{.channel_id = channel});
    if (auto status = readChannel(link, request, report.channels.back()); !status) {
      return status.error();
    }
  }
  for (auto step : {readRetriesByDue, readDeadLetters, readCircuits}) {
    if (auto status = step(link, request, report); !status) {
      return status.error();
    }
  }
  if (!report.channels.empty()) {
    if (auto status = countChannelRetries(link, request, report); !status) {
      return status.error();
    }
  }
  return report;
}

nlohmann::ordered_json statusJson(const StatusReport& report) {
  using json = nlohmann::ordered_json;
  const auto& queues = report.queues;
  json consumers = json::array();
  for (const auto& consumer : queues.consumers) {
    consumers.push_back(
        {{"name", consumer.name}, {"pending", consumer.pending}, {"idle_ms", consumer.idle_ms}});
  }
  json by_due = json::object();
  for (const auto& bucket : report.retries_by_due) {
    by_due[bucket.label] = bucket.count;
  }
  json circuits = json::array();
  for (const auto& circuit : report.circuits) {
    circuits.push_back({{"endpoint", circuit.endpoint},
                        {"state", circuit.state},
                        {"consecutive_failures", circuit.consecutive_failures},
                        {"next_probe_at_ms", circuit.next_probe_at_ms}});
  }
  json result = {{"stream", {{"name", report.names.stream}, {"length", queues.stream_length}}},
                 {"group",
                  {{"name", report.names.group},
                   {"exists", queues.group_exists},
                   {"lag", queues.group_lag ? json(*queues.group_lag) : json(nullptr)},
                   {"pending", queues.group_pending},
                   {"consumers", consumers}}},
                 {"retries", {{"waiting", queues.retries_waiting}, {"by_due", by_due}}},
                 {"dead_letters",
                  {{"stream", report.names.dead_letter_stream},
                   {"count", queues.dead_letters},
                   {"scanned", report.dead_scanned},
                   {"by_reason", report.dead_by_reason}}},
                 {"circuits", circuits}};
  if (!report.channels.empty()) {
    json channels = json::array();
    for (const auto& channel : report.channels) {
      channels.push_back({{"channel_id", channel.channel_id},
                          {"webhook", channel.has_webhook},
                          {"url", channel.url},
                          {"events", channel.events},
                          {"disabled", channel.disabled},
                          {"retries_waiting", channel.retries_waiting},
                          {"dead_letters", channel.dead_letters},
                          {"recent_attempts", channel.recent_attempts}});
    }
    result["channels"] = channels;
  }
  return result;
}

std::string statusTable(const StatusReport& report) {
  const auto& queues = report.queues;
  std::string out;
  const std::vector<int> two = {22, 0};
  out += formatRow({"stream", report.names.stream}, two);
  out += formatRow({"  length", std::to_string(queues.stream_length)}, two);
  out += formatRow({"group", report.names.group + (queues.group_exists ? "" : " (absent)")}, two);
  out +=
      formatRow({"  lag", queues.group_lag ? std::to_string(*queues.group_lag) : "unknown"}, two);
  out += formatRow({"  pending", std::to_string(queues.group_pending)}, two);
  out += "\n" + formatRow({"CONSUMER", "PENDING", "IDLE"}, {22, 10, 0});
  for (const auto& consumer : queues.consumers) {
    out += formatRow({consumer.name, std::to_string(consumer.pending),
                      std::to_string(consumer.idle_ms / 1000) + "s"},
                     {22, 10, 0});
  }
  out += "\n" + formatRow({"retries waiting", std::to_string(queues.retries_waiting)}, two);
  for (const auto& bucket : report.retries_by_due) {
    out += formatRow({"  due " + bucket.label, std::to_string(bucket.count)}, two);
  }
  std::string dead = std::to_string(queues.dead_letters);
  if (report.dead_scanned < static_cast<std::size_t>(queues.dead_letters)) {
    dead += " (reasons of the newest " + std::to_string(report.dead_scanned) + ")";
  }
  out += "\n" + formatRow({"dead letters", dead}, two);
  for (const auto& [reason, count] : report.dead_by_reason) {
    out += formatRow({"  " + reason, std::to_string(count)}, two);
  }
  out += "\n" + formatRow({"CIRCUIT", "STATE", "FAILURES"}, {40, 10, 0});
  for (const auto& circuit : report.circuits) {
    out +=
        formatRow({circuit.endpoint, circuit.state, std::to_string(circuit.consecutive_failures)},
                  {40, 10, 0});
  }
  if (!report.channels.empty()) {
    const std::vector<int> widths = {16, 9, 8, 6, 0};
    out += "\n" + formatRow({"CHANNEL", "WEBHOOK", "RETRIES", "DEAD", "RECENT ATTEMPTS"}, widths);
    for (const auto& channel : report.channels) {
      const std::string webhook =
          !channel.has_webhook ? "none" : (channel.disabled ? "disabled" : "active");
      out += formatRow({channel.channel_id, webhook, std::to_string(channel.retries_waiting),
                        std::to_string(channel.dead_letters), counts(channel.recent_attempts)},
                       widths);
    }
  }
  return out;
}

}  // namespace hookline
