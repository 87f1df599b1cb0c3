#ifndef HOMESERVER_JSON_HPP
#define HOMESERVER_JSON_HPP

// JSON values (event content, requests, module configuration) are nlohmann-json's: objects
// keep their keys sorted, so what the host prints is deterministic.

#include <nlohmann/json.hpp>

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace homeserver {

using json = nlohmann::json;

/// Compact JSON text that is always valid: invalid UTF-8 in a string (a path parameter, a
/// module's answer) is replaced by U+FFFD rather than passed through or thrown.
inline std::string dump(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

/// The string member `key` of an object, or nullptr when absent or not a string.
inline const std::string* string_member(const json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get_ptr<const std::string*>() : nullptr;
}

/// How deep JSON from outside (a client's body, a service's answer) may nest: an object or an
/// array inside another counts one level more, a top-level object is level 1. Reading is
/// iterative, but nlohmann-json copies, compares, writes and converts a value recursively,
/// and so does code that walks an event; the bound keeps that recursion a few dozen frames
/// whatever a client sends. The spec bounds an event's size (64 KiB), not its depth; the
/// events it defines nest a few levels (content, then a relation or a mention list), so 32
/// refuses no event a client makes and leaves room for a module's own structure.
inline constexpr int max_json_depth = 32;

/// JSON read from outside, or why it was refused: `errcode` M_NOT_JSON (not JSON text, a key
/// twice in one object, a NUL byte) or M_BAD_JSON (nested deeper than max_json_depth), and
/// `reason`, which follows what was read ("the request body " + reason).
struct json_reading {
  json value;
  std::string_view errcode; // empty when read
  std::string reason;
  explicit operator bool() const noexcept { return errcode.empty(); }
};

/// Reads untrusted JSON text, nested at most `max_depth` levels. A key given twice in one object is
/// refused (the spec's canonical JSON has none, and two readers would disagree on which
/// counts), as is a NUL byte (nlohmann-json stops reading at one, so "{}\0garbage" read as
/// `{}`).
inline json_reading read_json(std::string_view text, int max_depth = max_json_depth) {
  struct refused {
    std::string_view errcode;
    std::string reason;
  };
  if (text.find('\0') != std::string_view::npos) return {json(), "M_NOT_JSON", "holds a NUL byte"};
  std::vector<std::set<std::string>> keys; // of each object being read
  const auto limit = [&](int depth, json::parse_event_t event, json& parsed) {
    switch (event) {
    case json::parse_event_t::object_start:
    case json::parse_event_t::array_start:
      if (depth >= max_depth)
        throw refused{"M_BAD_JSON", "nests deeper than " + std::to_string(max_depth) + " levels"};
      if (event == json::parse_event_t::object_start) keys.emplace_back();
      break;
    case json::parse_event_t::key:
      if (!keys.back().insert(parsed.get<std::string>()).second)
        throw refused{"M_NOT_JSON", "gives the key '" + parsed.get<std::string>() + "' twice in one object"};
      break;
    case json::parse_event_t::object_end:
      keys.pop_back();
      break;
    default:
      break;
    }
    return true;
  };
  try {
    return {json::parse(text, limit), {}, {}};
  } catch (const refused& r) {
    return {json(), r.errcode, r.reason};
  } catch (const json::exception&) {
    return {json(), "M_NOT_JSON", "is not JSON"};
  }
}

} // namespace homeserver

#endif
