// The reference host's command line:
//   homeserver CONFIG.yaml SCRIPT [--no-timing]   replays SCRIPT, printing every decision
//   homeserver CONFIG.yaml --events N [--seed S]  a load run over N synthetic actions
// Start-up errors (the config file, an unknown module, a module rejecting its config) print
// one line naming the file, the entry and the problem, and exit with status 1.

#include "config.hpp"
#include "script.hpp"
#include "server.hpp"

#include <charconv>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

namespace {

int usage() {
  std::cerr << "usage: homeserver CONFIG.yaml SCRIPT [--no-timing]\n"
               "       homeserver CONFIG.yaml --events N [--seed S] [--no-timing]\n";
  return 2;
}

std::optional<std::uint64_t> number(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

} // namespace

int main(int argc, char** argv) {
  std::optional<std::string> config_path, script_path;
  std::optional<std::uint64_t> events;
  std::uint64_t seed = 1;
  bool timing = true;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--no-timing") {
      timing = false;
    } else if (arg == "--events" || arg == "--seed") {
      if (i + 1 == argc) return usage();
      const auto value = number(argv[++i]);
      if (!value) return usage();
      if (arg == "--events")
        events = *value;
      else
        seed = *value;
    } else if (!config_path) {
      config_path = std::string(arg);
    } else if (!script_path) {
      script_path = std::string(arg);
    } else {
      return usage();
    }
  }
  if (!config_path || (script_path.has_value() == events.has_value())) return usage();

  const auto entries = homeserver::read_module_config(*config_path);
  if (!entries) {
    std::cerr << "homeserver: " << entries.error() << '\n';
    return 1;
  }
  std::vector<homeserver::action> actions;
  if (script_path) {
    auto script = homeserver::read_script(*script_path);
    if (!script) {
      std::cerr << "homeserver: " << script.error() << '\n';
      return 1;
    }
    actions = std::move(*script);
  } else {
    actions = homeserver::synthetic_actions(*events, seed);
  }

  homeserver::server host(std::cout);
  if (auto started = host.start(*config_path, *entries); !started) {
    std::cerr << "homeserver: " << started.error() << '\n';
    return 1;
  }
  for (const auto& a : actions) host.run(a, /*print=*/script_path.has_value());
  if (events) std::cout << "ran " << actions.size() << " synthetic actions (seed " << seed << ")\n";
  host.print_summary(timing);
  return 0;
}
