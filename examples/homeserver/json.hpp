#ifndef HOMESERVER_JSON_HPP
#define HOMESERVER_JSON_HPP

// A small JSON value: event content, room-creation requests and module configuration.
// Objects keep their keys sorted, so printed output is deterministic.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace homeserver {

class json {
public:
  using array = std::vector<json>;
  using object = std::map<std::string, json, std::less<>>;

  json() = default;
  json(std::nullptr_t) {}
  json(bool b) : value_(b) {}
  json(int i) : value_(std::int64_t{i}) {}
  json(std::int64_t i) : value_(i) {}
  json(double d) : value_(d) {}
  json(const char* s) : value_(std::string(s)) {}
  json(std::string s) : value_(std::move(s)) {}
  json(array a) : value_(std::move(a)) {}
  json(object o) : value_(std::move(o)) {}

  bool is_null() const noexcept { return std::holds_alternative<std::nullptr_t>(value_); }
  bool is_bool() const noexcept { return std::holds_alternative<bool>(value_); }
  bool is_integer() const noexcept { return std::holds_alternative<std::int64_t>(value_); }
  bool is_string() const noexcept { return std::holds_alternative<std::string>(value_); }
  bool is_array() const noexcept { return std::holds_alternative<array>(value_); }
  bool is_object() const noexcept { return std::holds_alternative<object>(value_); }

  // Typed access; the caller checks the kind first (std::bad_variant_access otherwise).
  bool as_bool() const { return std::get<bool>(value_); }
  std::int64_t as_integer() const { return std::get<std::int64_t>(value_); }
  const std::string& as_string() const { return std::get<std::string>(value_); }
  const array& as_array() const { return std::get<array>(value_); }
  array& as_array() { return std::get<array>(value_); }
  const object& as_object() const { return std::get<object>(value_); }
  object& as_object() { return std::get<object>(value_); }

  /// The member `key` of an object, or nullptr when this is not an object or has no such key.
  const json* find(std::string_view key) const;
  /// The member `key` of an object, created (null) if missing; makes a null value an object.
  /// Throws std::logic_error on any other kind of value.
  json& operator[](std::string_view key);

  /// Compact JSON text.
  std::string dump() const;

  friend bool operator==(const json&, const json&) = default;

private:
  std::variant<std::nullptr_t, bool, std::int64_t, double, std::string, array, object> value_;
};

} // namespace homeserver

#endif
