#ifndef HOMESERVER_CONFIG_HPP
#define HOMESERVER_CONFIG_HPP

// The host's configuration file: a `server:` section (where and how to listen, who the admins
// are, where the modules are) and a `modules:` list shaped like Synapse's, each entry naming a
// module's library (`module:`) and the configuration handed to it (`config:`).

#include "credentials.hpp"
#include "json.hpp"

#include <modhook/expected.hpp>
#include <modhook/placement.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace homeserver {

struct module_entry {
  std::string module;
  json config = json::object(); // an object; empty when the entry has no `config:`
  int line = 0;                 // where the entry starts in the file, 1-based
  bool enabled = true;          // `enabled: false`: loaded, but its callbacks are not called
  // `position: first|middle|last`, `before: [names]`, `after: [names]`: the host's placement of
  // the module (modhook::placement); without them, the module's own or the list's order.
  std::optional<modhook::placement> place;
};

/// An admin: made with its password when the host starts, never by registering (the name is
/// then taken, so open registration cannot claim it).
struct admin_account {
  std::string user_id;
  std::string password;
};

struct server_config {
  std::string server_name = "example.com"; // user ids are @name:server_name
  unsigned short port = 0;                 // on 127.0.0.1; 0 picks a free port
  unsigned short metrics_port = 0;         // the metrics listener's, on 127.0.0.1; 0 picks a free port
  unsigned worker_threads = 2;
  std::size_t max_request_body = 1024 * 1024; // bytes
  std::size_t max_connections = 512;          // open at once (http/server.hpp says what one more does)
  std::vector<admin_account> admins;          // the accounts allowed the admin API
  // What hashing a password costs: `password_hashing: interactive` (the default) or `minimum`
  // (tests only).
  password_cost password_hashing = password_cost::interactive();
  // Where `module: NAME` is found, as NAME.so: relative to the config file's directory. When
  // the file sets none, the homeserver program sets `modules/` beside itself (where the build
  // puts the modules); host::start refuses to load a module with none set.
  std::string modules_dir;
};

struct host_config {
  server_config server;
  std::vector<module_entry> modules;
};

/// The configuration in the YAML file at `path`; or an error that names the file, the entry
/// and the problem. A string may name an environment variable, `${NAME}`, replaced by its
/// value (the tests and the main command give the censor service's URL this way).
modhook::expected<host_config, std::string> read_host_config(const std::string& path);

} // namespace homeserver

#endif
