#include "script.hpp"

#include <fstream>
#include <random>

namespace homeserver {

std::string action::option(std::string_view key, std::string fallback) const {
  const auto it = options.find(key);
  return it == options.end() ? std::move(fallback) : it->second;
}

namespace {

// Blanks separate tokens; '\r' counts, so scripts with CRLF line ends read the same.
bool blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// Reads a possibly quoted value from `text` at `at`; advances `at` past it.
modhook::expected<std::string, std::string> read_value(std::string_view text, std::size_t& at) {
  std::string out;
  if (at < text.size() && text[at] == '"') {
    for (++at; at < text.size(); ++at) {
      if (text[at] == '"') {
        ++at;
        if (at < text.size() && !blank(text[at]))
          return modhook::unexpected(std::string("a quoted value must be followed by a blank"));
        return out;
      }
      if (text[at] == '\\' && at + 1 < text.size()) ++at;
      out += text[at];
    }
    return modhook::unexpected(std::string("unterminated quoted value"));
  }
  while (at < text.size() && !blank(text[at])) out += text[at++];
  return out;
}

} // namespace

modhook::expected<action, std::string> parse_action(std::string_view text, int line) {
  action out;
  out.line = line;
  std::size_t at = 0;
  auto skip_blanks = [&] {
    while (at < text.size() && blank(text[at])) ++at;
  };
  skip_blanks();
  if (at == text.size() || text[at] == '#') return out;
  const std::size_t verb_start = at;
  if (text[at] == '+' || text.substr(at, text.find_first_of(" \t\r\"", at) - at).find('=') != std::string_view::npos)
    return modhook::unexpected(std::string("an action starts with its verb"));
  while (at < text.size()) {
    const std::size_t start = at;
    if (text[at] == '+') {
      ++at;
      auto name = read_value(text, at);
      if (!name || name->empty()) return modhook::unexpected(std::string("a '+' must be followed by a flag name"));
      out.flags.insert(*name);
    } else {
      std::size_t equals = start;
      while (equals < text.size() && !blank(text[equals]) && text[equals] != '=' && text[equals] != '"') ++equals;
      if (equals < text.size() && text[equals] == '=' && equals > start) {
        std::string key(text.substr(start, equals - start));
        at = equals + 1;
        auto value = read_value(text, at);
        if (!value) return modhook::unexpected(key + ": " + value.error());
        out.options.insert_or_assign(std::move(key), std::move(*value));
      } else {
        auto value = read_value(text, at);
        if (!value) return modhook::unexpected(value.error());
        if (start == verb_start) {
          if (value->empty()) return modhook::unexpected(std::string("an action starts with its verb"));
          out.verb = std::move(*value);
        } else {
          out.args.push_back(std::move(*value));
        }
      }
    }
    skip_blanks();
  }
  return out;
}

modhook::expected<std::vector<action>, std::string> read_script(const std::string& path) {
  std::ifstream in(path);
  if (!in) return modhook::unexpected(path + ": cannot read the file");
  std::vector<action> actions;
  std::string text;
  for (int line = 1; std::getline(in, text); ++line) {
    auto parsed = parse_action(text, line);
    if (!parsed) return modhook::unexpected(path + ":" + std::to_string(line) + ": " + parsed.error());
    if (!parsed->verb.empty()) actions.push_back(std::move(*parsed));
  }
  return actions;
}

std::vector<action> synthetic_actions(std::size_t count, std::uint64_t seed) {
  std::mt19937_64 random(seed);
  auto pick = [&](std::size_t n) -> std::size_t { return random() % n; };
  const char* users[] = {"@alice:example.com", "@bob:example.com", "@carol:example.com", "@mallory:example.com",
                         "@eve:remote.example", "@dave:spam.example"};
  const char* bodies[] = {"hello", "what a darn day", "buy now, cheap", "crash the rules", "flood the queue",
                          "see you"};
  const char* rooms[] = {"!lobby:example.com", "!ops:example.com"};
  std::vector<action> actions;
  actions.reserve(count + 2);
  // The rooms the other actions use exist first.
  for (const char* room : rooms) actions.push_back({0, "create_room", {users[0], room}, {{"name", "synthetic"}}, {}});
  for (std::size_t i = 0; i < count; ++i) {
    const std::string user = users[pick(std::size(users))];
    const std::string room = rooms[pick(std::size(rooms))];
    action a;
    a.line = 0;
    switch (pick(12)) {
    case 0: a = {0, "register", {user}, {}, {}}; break;
    case 1: a = {0, "request", {user}, {}, {}}; break;
    case 2: a = {0, "create_room", {user, "!r" + std::to_string(i) + ":example.com"}, {{"name", "room"}}, {}}; break;
    case 3: a = {0, "invite", {user, users[pick(std::size(users))], room}, {}, {}}; break;
    case 4: a = {0, "invite_threepid", {user, "email", "someone@spam.example", room}, {}, {}}; break;
    case 5: a = {0, "visibility", {user, room, pick(2) == 0 ? "public" : "private"}, {}, {}}; break;
    case 6: a = {0, "shutdown", {user, room}, {}, {}}; break;
    case 7: a = {0, "profile", {user}, {{"displayname", "User " + std::to_string(i)}}, {}}; break;
    case 8: a = {0, "deactivate", {user}, {}, {}}; break;
    case 9: a = {0, "bind", {user, "email", "someone@example.com"}, {}, {}}; break;
    case 10: a = {0, "upload", {user, "file.png", "image/png"}, {{"bytes", "abcd"}, {"size", "4"}}, {}}; break;
    default: a = {0, "send", {user, room, "m.room.message"}, {{"body", bodies[pick(std::size(bodies))]}}, {}}; break;
    }
    actions.push_back(std::move(a));
  }
  return actions;
}

} // namespace homeserver
