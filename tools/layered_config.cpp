#include "tools/layered_config.hpp"

#include <toml++/toml.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <sstream>

#include "common/redis_link.hpp"

namespace hookline {
namespace {

// Options that are about this run, not configuration.
const std::set<std::string> kNotConfig = {"help", "version", "config", "print_config"};

bool isFlag(const CLI::Option& option) {
  return option.get_expected_max() == 0;
}

bool isList(const CLI::Option& option) {
  return option.get_expected_max() > 1;
}

// A TOML value as the text CLI11 would have read on the command line.
std::optional<std::string> scalarText(const toml::node& node) {
  if (auto text = node.value<std::string>(); text && node.is_string()) {
    return *text;
  }
  if (node.is_integer()) {
    return std::to_string(*node.value<std::int64_t>());
  }
  if (node.is_floating_point()) {
    std::ostringstream out;
    out << *node.value<double>();
    return out.str();
  }
  if (node.is_boolean()) {
    return *node.value<bool>() ? "true" : "false";
  }
  return std::nullopt;
}

// redis://user:secret@host -> redis://user:****@host
std::string maskRedisUrl(const std::string& url) {
  const auto scheme = url.find("://");
  const auto at = url.rfind('@');
  if (scheme == std::string::npos || at == std::string::npos || at < scheme) {
    return url;
  }
  const auto colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) {
    return url.substr(0, scheme + 3) + "****" + url.substr(at);
  }
  return url.substr(0, colon + 1) + "****" + url.substr(at);
}

bool looksNumeric(const std::string& text) {
  if (text.empty()) {
    return false;
  }
  char* end = nullptr;
  std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() && !std::isalpha(static_cast<unsigned char>(text[0]));
}

std::string tomlValue(const CLI::Option& option, const std::string& text) {
  if (isFlag(option)) {
    return text == "true" || text == "1" ? "true" : "false";
  }
  if (looksNumeric(text)) {
    return text;
  }
  // A JSON string is a valid TOML basic string: the same quotes and escapes.
  return nlohmann::json(text).dump();
}

void collectOptions(const CLI::App& command, std::vector<const CLI::Option*>& options) {
  for (const CLI::Option* option : command.get_options()) {
    if (!configKey(*option).empty()) {
      options.push_back(option);
    }
  }
}

}  // namespace

std::string configKey(const CLI::Option& option) {
  if (option.get_lnames().empty()) {
    return "";
  }
  std::string key = option.get_lnames().front();
  std::replace(key.begin(), key.end(), '-', '_');
  return kNotConfig.contains(key) ? "" : key;
}

std::string environmentName(const std::string& key) {
  if (key == "redis") {
    return "HOOKLINE_REDIS_URL";  // DESIGN.md section 7
  }
  std::string name = "HOOKLINE_" + key;
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return name;
}

std::set<std::string> knownKeys(const CLI::App& app, const std::vector<std::string>& commands) {
  std::vector<const CLI::Option*> options;
  collectOptions(app, options);
  for (const CLI::App* command : app.get_subcommands({})) {
    if (std::find(commands.begin(), commands.end(), command->get_name()) != commands.end()) {
      collectOptions(*command, options);
    }
  }
  std::set<std::string> keys;
  for (const auto* option : options) {
    keys.insert(configKey(*option));
  }
  return keys;
}

LayeredConfig::LayeredConfig(const std::string& path, const std::set<std::string>& known)
    : path_(path) {
  if (path.empty()) {
    return;
  }
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& error) {
    std::ostringstream where;
    where << error.source().begin;
    throw CLI::ValidationError("--config",
                               path + " " + where.str() + ": " + std::string(error.description()));
  }
  for (const auto& [name, node] : table) {
    const std::string key(name.str());
    if (node.is_table()) {
      throw CLI::ValidationError(
          "--config", path + ": key '" + key + "' is a table; hookline's keys are all top-level");
    }
    if (!known.contains(key)) {
      throw CLI::ValidationError("--config", path + ": unknown key '" + key + "'");
    }
    std::vector<std::string> values;
    if (const toml::array* list = node.as_array()) {
      for (const auto& element : *list) {
        auto text = scalarText(element);
        if (!text) {
          throw CLI::ValidationError("--config", path + ": key '" + key +
                                                     "' holds a list of something other than "
                                                     "strings, numbers or booleans");
        }
        values.push_back(*text);
      }
    } else if (auto text = scalarText(node)) {
      values.push_back(*text);
    } else {
      throw CLI::ValidationError("--config", path + ": key '" + key + "' has an unsupported type");
    }
    file_values_[key] = std::move(values);
  }
}

void LayeredConfig::apply(CLI::App& command, bool own_options) {
  std::vector<CLI::Option*> options;
  if (own_options) {
    options = command.get_options();
  }
  // The common options live on the root; `dlq list` reaches them through `dlq`.
  for (CLI::App* parent = command.get_parent(); parent != nullptr; parent = parent->get_parent()) {
    const auto inherited = parent->get_options();
    options.insert(options.end(), inherited.begin(), inherited.end());
  }
  for (CLI::Option* option : options) {
    applyOption(*option);
  }
}

void LayeredConfig::applyOption(CLI::Option& option) {
  const std::string key = configKey(option);
  if (key.empty()) {
    return;
  }
  if (option.count() > 0) {
    sources_[key] = "command line";
    return;
  }
  std::vector<std::string> values;
  std::string source;
  if (const char* env = std::getenv(environmentName(key).c_str()); env != nullptr && *env) {
    source = environmentName(key);
    if (isList(option)) {
      // A list in one variable: comma-separated (HOOKLINE_ALLOW_NETWORK=10.0.0.0/8,fd00::/8).
      std::stringstream parts(env);
      for (std::string part; std::getline(parts, part, ',');) {
        values.push_back(part);
      }
    } else {
      values.push_back(env);
    }
  } else if (auto it = file_values_.find(key); it != file_values_.end()) {
    source = "config file " + path_;
    values = it->second;
    if (values.size() > 1 && !isList(option)) {
      throw CLI::ValidationError(key, "in " + source + ": takes one value, not a list");
    }
  } else {
    sources_[key] = "default";
    return;
  }
  sources_[key] = source;
  if (values.empty()) {
    return;  // an empty list: the option's default, no values
  }
  try {
    for (auto& value : values) {
      option.add_result(value);
    }
    option.run_callback();
  } catch (const CLI::Error& error) {
    throw CLI::ValidationError(key, "bad value from " + source + ": " + error.what());
  }
}

std::string LayeredConfig::sourceOf(const std::string& key) const {
  auto it = sources_.find(key);
  return it == sources_.end() ? "default" : it->second;
}

std::string LayeredConfig::explain(const std::string& message) const {
  if (!message.starts_with("--")) {
    return message;
  }
  std::string key = message.substr(2, message.find(':') - 2);
  std::replace(key.begin(), key.end(), '-', '_');
  const std::string source = sourceOf(key);
  if (source == "command line" || source == "default") {
    return message;
  }
  return key + " (from " + source + "): " + message.substr(message.find(':') + 2);
}

std::string effectiveConfig(const CLI::App& command) {
  std::vector<const CLI::Option*> options;
  if (const CLI::App* parent = command.get_parent()) {
    collectOptions(*parent, options);
  }
  collectOptions(command, options);
  std::string out = "# hookline " + command.get_name() + ": effective configuration\n";
  for (const auto* option : options) {
    const std::string key = configKey(*option);
    std::vector<std::string> values = option->results();
    if (isFlag(*option) && option->count() > 0) {
      values = {option->as<bool>() ? "true" : "false"};
    } else if (option->count() == 0) {
      values.clear();
      if (isFlag(*option)) {
        values.push_back("false");
      } else if (!option->get_default_str().empty()) {
        values.push_back(option->get_default_str());
      }
    }
    if (key == "redis") {
      for (auto& value : values) {
        value = maskRedisUrl(value);
      }
    }
    if (isList(*option)) {
      std::string list;
      for (const auto& value : values) {
        list += (list.empty() ? "" : ", ") + tomlValue(*option, value);
      }
      out += key + " = [" + list + "]\n";
    } else if (values.empty()) {
      out += "# " + key + " = (not set)\n";
    } else {
      out += key + " = " + tomlValue(*option, values.back()) + "\n";
    }
  }
  return out;
}

}  // namespace hookline
