#ifndef HOMESERVER_SCRIPT_HPP
#define HOMESERVER_SCRIPT_HPP

// The action script the host replays: one action per line,
//   VERB positional... key=value... +flag...
// Values may be double-quoted ("hello world", with \" and \\ escapes); `#` starts a comment
// line. See data/actions.txt for every verb.

#include <modhook/expected.hpp>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace homeserver {

struct action {
  int line = 0;
  std::string verb;
  std::vector<std::string> args;
  std::map<std::string, std::string, std::less<>> options;
  std::set<std::string, std::less<>> flags;

  std::string option(std::string_view key, std::string fallback = {}) const;
  bool flag(std::string_view name) const { return flags.contains(name); }
};

/// One line; an empty or comment line gives an action with an empty verb.
modhook::expected<action, std::string> parse_action(std::string_view text, int line);
/// A whole script; the error names the line.
modhook::expected<std::vector<action>, std::string> read_script(const std::string& path);
/// `count` actions of every kind, the same for the same seed: the load run's input.
std::vector<action> synthetic_actions(std::size_t count, std::uint64_t seed);

} // namespace homeserver

#endif
