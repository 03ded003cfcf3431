// Operator commands for the registry (DESIGN.md section 7):
//   hookline account create NAME
//   hookline channel create CHANNEL_ID --account NAME
//   hookline key create --account NAME     (prints the key alone on stdout, once)
//   hookline key revoke KEY                (KEY "-" reads it from stdin, keeping it off ps)

#include <iostream>
#include <memory>
#include <string>
#include <string_view>

#include "common/redis_link.hpp"
#include "registry/registry_store.hpp"
#include "tools/commands.hpp"

namespace hookline {
namespace {

[[noreturn]] void fail(std::string_view message) {
  std::cerr << "hookline: " << message << "\n";
  throw CLI::RuntimeError(1);
}

// Runs one registry operation of `command` on a fresh connection to the Redis that the flags,
// the environment and --config name, turning any failure into an exit.
template <class Operation>
void withStore(CLI::App& command, CommonOptions& common, Operation operation) {
  applyCommonConfig(command, common);
  RedisLink link(common.redisOptions());
  if (auto status = link.connect(); !status) {
    fail(status.error().message);
  }
  RegistryStore store(link, common.key_prefix);
  operation(store);
}

void addAccountCommands(CLI::App& app, CommonOptions& common) {
  auto* account = app.add_subcommand("account", "Manage accounts (customers)");
  account->require_subcommand(1);

  auto name = std::make_shared<std::string>();
  auto* create = account->add_subcommand("create", "Create an account");
  create->add_option("NAME", *name, "letters, digits, '_', '-', '.'; at most 64")->required();
  create->callback([&common, create, name] {
    withStore(*create, common, [&](RegistryStore& store) {
      if (auto status = store.createAccount(*name); !status) {
        fail(status.error().message);
      }
      std::cout << "created account " << *name << "\n";
    });
  });
}

void addChannelCommands(CLI::App& app, CommonOptions& common) {
  auto* channel = app.add_subcommand("channel", "Manage channels");
  channel->require_subcommand(1);

  auto channel_id = std::make_shared<std::string>();
  auto account = std::make_shared<std::string>();
  auto* create = channel->add_subcommand("create", "Create a channel owned by an account");
  create->add_option("CHANNEL_ID", *channel_id, "letters, digits, '_', '-', '.'; at most 128")
      ->required();
  create->add_option("--account", *account, "the owning account")->required();
  create->callback([&common, create, channel_id, account] {
    withStore(*create, common, [&](RegistryStore& store) {
      if (auto status = store.createChannel(*channel_id, *account); !status) {
        fail(status.error().message);
      }
      std::cout << "created channel " << *channel_id << " for account " << *account << "\n";
    });
  });
}

void addKeyCommands(CLI::App& app, CommonOptions& common) {
  auto* key = app.add_subcommand("key", "Manage API keys");
  key->require_subcommand(1);

  auto account = std::make_shared<std::string>();
  auto* create = key->add_subcommand(
      "create", "Create an API key for an account; the key alone is printed, only this once");
  create->add_option("--account", *account, "the account the key acts for")->required();
  create->callback([&common, create, account] {
    withStore(*create, common, [&](RegistryStore& store) {
      auto created = store.createApiKey(*account);
      if (!created) {
        fail(created.error().message);
      }
      std::cout << *created << "\n" << std::flush;
    });
  });

  auto plaintext = std::make_shared<std::string>();
  auto* revoke = key->add_subcommand("revoke", "Revoke an API key");
  revoke->add_option("KEY", *plaintext, "the key, or - to read it from standard input")->required();
  revoke->callback([&common, revoke, plaintext] {
    std::string text = *plaintext;
    if (text == "-" && !std::getline(std::cin, text)) {
      fail("no key on standard input");
    }
    while (!text.empty() && (text.back() == '\r' || text.back() == ' ')) {
      text.pop_back();
    }
    withStore(*revoke, common, [&](RegistryStore& store) {
      auto revoked = store.revokeApiKey(text);
      if (!revoked) {
        fail(revoked.error().message);
      }
      if (!*revoked) {
        fail("no such API key");
      }
      std::cout << "revoked API key\n";
    });
  });
}

}  // namespace

void addAdminCommands(CLI::App& app, CommonOptions& common) {
  addAccountCommands(app, common);
  addChannelCommands(app, common);
  addKeyCommands(app, common);
}

}  // namespace hookline
