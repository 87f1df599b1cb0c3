#ifndef HOMESERVER_JSON_HPP
#define HOMESERVER_JSON_HPP

// JSON values (event content, requests, module configuration) are nlohmann-json's: objects
// keep their keys sorted, so what the host prints is deterministic.

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

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

} // namespace homeserver

#endif
