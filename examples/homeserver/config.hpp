#ifndef HOMESERVER_CONFIG_HPP
#define HOMESERVER_CONFIG_HPP

// The host's configuration file: a `modules:` list shaped like Synapse's, each entry naming a
// module of the catalogue (`module:`) and the configuration handed to it (`config:`).

#include "json.hpp"

#include <modhook/expected.hpp>

#include <string>
#include <vector>

namespace homeserver {

struct module_entry {
  std::string module;
  json config;   // an object; empty when the entry has no `config:`
  int line = 0;  // where the entry starts in the file, 1-based
};

/// The module entries of the YAML file at `path`, in order; or an error that names the file,
/// the entry and the problem.
modhook::expected<std::vector<module_entry>, std::string> read_module_config(const std::string& path);

} // namespace homeserver

#endif
