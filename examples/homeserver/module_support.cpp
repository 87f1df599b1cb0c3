#include "module_support.hpp"

namespace homeserver {

namespace {
[[noreturn]] void wrong_kind(std::string_view key, const char* expected) {
  throw config_error("config key '" + std::string(key) + "' must be " + expected);
}
} // namespace

std::string config_string(const json& config, std::string_view key, std::string fallback) {
  const json* value = config.find(key);
  if (value == nullptr) return fallback;
  if (!value->is_string()) wrong_kind(key, "a string");
  return value->as_string();
}

std::vector<std::string> config_strings(const json& config, std::string_view key) {
  const json* value = config.find(key);
  if (value == nullptr) return {};
  if (!value->is_array()) wrong_kind(key, "a list of strings");
  std::vector<std::string> out;
  for (const json& item : value->as_array()) {
    if (!item.is_string()) wrong_kind(key, "a list of strings");
    out.push_back(item.as_string());
  }
  return out;
}

std::int64_t config_integer(const json& config, std::string_view key, std::int64_t fallback) {
  const json* value = config.find(key);
  if (value == nullptr) return fallback;
  if (!value->is_integer()) wrong_kind(key, "an integer");
  return value->as_integer();
}

} // namespace homeserver
