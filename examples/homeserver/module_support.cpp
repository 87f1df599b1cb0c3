#include "module_support.hpp"

namespace homeserver {

namespace {
[[noreturn]] void wrong_kind(std::string_view key, const char* expected) {
  throw config_error("config key '" + std::string(key) + "' must be " + expected);
}
} // namespace

std::string config_string(const json& config, std::string_view key, std::string fallback) {
  const auto value = config.find(key);
  if (value == config.end()) return fallback;
  if (!value->is_string()) wrong_kind(key, "a string");
  return value->get<std::string>();
}

std::vector<std::string> config_strings(const json& config, std::string_view key) {
  const auto value = config.find(key);
  if (value == config.end()) return {};
  if (!value->is_array()) wrong_kind(key, "a list of strings");
  std::vector<std::string> out;
  for (const json& item : *value) {
    if (!item.is_string()) wrong_kind(key, "a list of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

std::int64_t config_integer(const json& config, std::string_view key, std::int64_t fallback) {
  const auto value = config.find(key);
  if (value == config.end()) return fallback;
  if (!value->is_number_integer()) wrong_kind(key, "an integer");
  return value->get<std::int64_t>();
}

} // namespace homeserver
