#include "json.hpp"

#include <cstdio>
#include <stdexcept>

namespace homeserver {

const json* json::find(std::string_view key) const {
  const auto* members = std::get_if<object>(&value_);
  if (members == nullptr) return nullptr;
  const auto it = members->find(key);
  return it == members->end() ? nullptr : &it->second;
}

json& json::operator[](std::string_view key) {
  if (is_null()) value_ = object{};
  if (!is_object()) throw std::logic_error("json: '" + std::string(key) + "' looked up in a value that is not an object");
  auto& members = std::get<object>(value_);
  const auto it = members.find(key);
  if (it != members.end()) return it->second;
  return members.emplace(std::string(key), json{}).first->second;
}

namespace {

void quote(std::string& out, const std::string& s) {
  out += '"';
  for (const char c : s) {
    switch (c) {
    case '"': out += "\\\""; break;
    case '\\': out += "\\\\"; break;
    case '\n': out += "\\n"; break;
    case '\t': out += "\\t"; break;
    default:
      if (static_cast<unsigned char>(c) < 0x20) {
        char escaped[8];
        std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
        out += escaped;
      } else {
        out += c;
      }
    }
  }
  out += '"';
}

void write(std::string& out, const json& value);

struct writer {
  std::string& out;
  void operator()(std::nullptr_t) const { out += "null"; }
  void operator()(bool b) const { out += b ? "true" : "false"; }
  void operator()(std::int64_t i) const { out += std::to_string(i); }
  void operator()(double d) const {
    char text[32];
    std::snprintf(text, sizeof text, "%g", d);
    out += text;
  }
  void operator()(const std::string& s) const { quote(out, s); }
  void operator()(const json::array& a) const {
    out += '[';
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (i != 0) out += ',';
      write(out, a[i]);
    }
    out += ']';
  }
  void operator()(const json::object& o) const {
    out += '{';
    bool first = true;
    for (const auto& [key, member] : o) {
      if (!first) out += ',';
      first = false;
      quote(out, key);
      out += ':';
      write(out, member);
    }
    out += '}';
  }
};

} // namespace

std::string json::dump() const {
  std::string out;
  std::visit(writer{out}, value_);
  return out;
}

namespace {
void write(std::string& out, const json& value) { out += value.dump(); }
} // namespace

} // namespace homeserver
