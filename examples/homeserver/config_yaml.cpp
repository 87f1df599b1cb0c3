#include "config.hpp"
#include "environment.hpp"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace homeserver {

namespace {

std::string where(const std::string& path, const YAML::Mark& mark) {
  return path + ":" + std::to_string(mark.line + 1);
}

// A problem found while converting a node; the caller adds the file and the entry.
struct config_problem : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Aliases make the node graph a DAG or even a cycle: `a: &x [*x]` refers to itself, and nine
// lines of nested aliases expand to a billion values. The conversion bounds both.
constexpr int max_depth = 64;
constexpr std::size_t max_values = 100000;

// `${NAME}` is replaced by the environment variable NAME; an unset one is a problem.
std::string expand(const std::string& text) {
  auto expanded = expand_environment(text);
  if (!expanded) throw config_problem(expanded.error());
  return std::move(*expanded);
}

// A plain scalar is read as YAML's core schema reads it (null, bool, integer, else string); a
// quoted one is always a string.
json scalar(const YAML::Node& node) {
  const std::string& text = node.Scalar();
  if (node.Tag() == "!") return json(expand(text));
  if (text == "~" || text == "null" || text == "Null" || text == "NULL") return json(nullptr);
  if (text == "true" || text == "True" || text == "TRUE") return json(true);
  if (text == "false" || text == "False" || text == "FALSE") return json(false);
  std::int64_t number = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error == std::errc{} && end == text.data() + text.size() && !text.empty()) return json(number);
  return json(expand(text));
}

json to_json(const YAML::Node& node, int depth, std::size_t& values) {
  if (depth > max_depth)
    throw config_problem("nested deeper than " + std::to_string(max_depth) +
                         " levels (an alias that refers to itself?)");
  if (++values > max_values)
    throw config_problem("expands to more than " + std::to_string(max_values) + " values (nested aliases?)");
  switch (node.Type()) {
  case YAML::NodeType::Null:
  case YAML::NodeType::Undefined: return json(nullptr);
  case YAML::NodeType::Scalar: return scalar(node);
  case YAML::NodeType::Sequence: {
    json items = json::array();
    for (const auto& item : node) items.push_back(to_json(item, depth + 1, values));
    return items;
  }
  case YAML::NodeType::Map: {
    json members = json::object();
    for (const auto& member : node) {
      if (!member.first.IsScalar()) throw config_problem("a key that is not a plain name");
      members[member.first.Scalar()] = to_json(member.second, depth + 1, values);
    }
    return members;
  }
  }
  return json(nullptr);
}

json to_json(const YAML::Node& node) {
  std::size_t values = 0;
  return to_json(node, 0, values);
}

std::int64_t integer_in(const json& value, const std::string& key, std::int64_t low, std::int64_t high) {
  if (!value.is_number_integer() || value.get<std::int64_t>() < low || value.get<std::int64_t>() > high)
    throw config_problem("'" + key + "' must be an integer from " + std::to_string(low) + " to " +
                         std::to_string(high));
  return value.get<std::int64_t>();
}

server_config read_server(const json& section) {
  server_config out;
  if (!section.is_object()) throw config_problem("'server' must be a mapping");
  for (const auto& [key, value] : section.items()) {
    if (key == "server_name") {
      if (!value.is_string() || value.get<std::string>().empty()) throw config_problem("'server_name' must be a name");
      out.server_name = value.get<std::string>();
    } else if (key == "port") {
      out.port = static_cast<unsigned short>(integer_in(value, key, 0, 65535));
    } else if (key == "metrics_port") {
      out.metrics_port = static_cast<unsigned short>(integer_in(value, key, 0, 65535));
    } else if (key == "worker_threads") {
      out.worker_threads = static_cast<unsigned>(integer_in(value, key, 1, 64));
    } else if (key == "max_request_body") {
      out.max_request_body = static_cast<std::size_t>(integer_in(value, key, 1, 64 * 1024 * 1024));
    } else if (key == "max_connections") {
      out.max_connections = static_cast<std::size_t>(integer_in(value, key, 1, 65535));
    } else if (key == "admins") {
      constexpr const char* shape = "'admins' must be a list of {user: \"@name:server\", password: ...}: an admin "
                                    "is made from the config when the host starts, never by registering";
      if (!value.is_array()) throw config_problem(shape);
      for (const json& admin : value) {
        if (!admin.is_object() || admin.size() != 2 || string_member(admin, "user") == nullptr ||
            string_member(admin, "password") == nullptr)
          throw config_problem(shape);
        const std::string& user = *string_member(admin, "user");
        const std::string& password = *string_member(admin, "password");
        if (!user.starts_with('@') || user.find(':') == std::string::npos)
          throw config_problem("admin '" + user + "': a user id is @name:server");
        if (password.empty() || password.size() > max_password_bytes)
          throw config_problem("admin '" + user + "': the password must be 1 to " +
                               std::to_string(max_password_bytes) + " bytes");
        out.admins.push_back({user, password});
      }
    } else if (key == "password_hashing") {
      if (value == "interactive")
        out.password_hashing = password_cost::interactive();
      else if (value == "minimum")
        out.password_hashing = password_cost::minimum();
      else
        throw config_problem("'password_hashing' must be interactive or minimum");
    } else if (key == "modules_dir") {
      if (!value.is_string() || value.get<std::string>().empty())
        throw config_problem("'modules_dir' must be a directory's path");
      out.modules_dir = value.get<std::string>();
    } else {
      throw config_problem("unknown key '" + key +
                           "' (expected server_name, port, metrics_port, worker_threads, max_request_body, max_connections, admins, "
                           "password_hashing or modules_dir)");
    }
  }
  return out;
}

} // namespace

modhook::expected<host_config, std::string> read_host_config(const std::string& path) {
  // yaml-cpp reads a directory as an empty stream that then throws std::ios_base::failure,
  // and an unreadable file as "bad file": both are said plainly here.
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    if (!std::filesystem::exists(path, ec))
      return modhook::unexpected(path + ": cannot read the file: it does not exist");
    return modhook::unexpected(path + ": cannot read the file: it is not a regular file");
  }
  if (!std::ifstream(path)) return modhook::unexpected(path + ": cannot read the file: permission denied");

  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    return modhook::unexpected(path + ": cannot read the file");
  } catch (const YAML::ParserException& e) {
    return modhook::unexpected(where(path, e.mark) + ": malformed YAML: " + e.msg);
  } catch (const std::exception& e) {
    return modhook::unexpected(path + ": cannot read the file: " + e.what());
  }
  if (!root.IsMap() || !root["modules"]) return modhook::unexpected(path + ": expected a top-level 'modules:' list");
  host_config config;
  for (const auto& key : root) {
    const std::string name = key.first.IsScalar() ? key.first.Scalar() : std::string("?");
    if (name != "modules" && name != "server")
      return modhook::unexpected(where(path, key.first.Mark()) + ": unknown top-level key '" + name +
                                 "' (expected 'server' or 'modules')");
  }
  if (const YAML::Node server = root["server"]; server) {
    try {
      config.server = read_server(to_json(server));
      const std::filesystem::path modules_dir = config.server.modules_dir;
      if (!modules_dir.empty() && modules_dir.is_relative())
        config.server.modules_dir =
            (std::filesystem::path(path).parent_path() / modules_dir).lexically_normal().string();
    } catch (const std::exception& e) {
      return modhook::unexpected(where(path, server.Mark()) + ": server: " + e.what());
    }
  }
  const YAML::Node modules = root["modules"];
  if (!modules.IsSequence()) return modhook::unexpected(where(path, modules.Mark()) + ": 'modules' must be a list");

  int index = 0;
  std::string entry;
  // Conversions throw on shapes the checks below do not foresee (a key that is a list, say);
  // each becomes the same one-line error.
  try {
    for (const auto& item : modules) {
      ++index;
      entry = where(path, item.Mark()) + ": modules entry " + std::to_string(index);
      if (!item.IsMap()) return modhook::unexpected(entry + ": expected 'module:' and 'config:' keys");
      for (const auto& key : item) {
        const auto name = key.first.as<std::string>();
        if (name != "module" && name != "config" && name != "enabled" && name != "position" && name != "before" &&
            name != "after")
          return modhook::unexpected(entry + ": unknown key '" + name +
                                     "' (expected module, config, enabled, position, before or after)");
      }
      const YAML::Node module = item["module"];
      if (!module || !module.IsScalar() || module.Scalar().empty())
        return modhook::unexpected(entry + ": 'module' must name a module");
      module_entry out{module.Scalar(), json::object(), item.Mark().line + 1, true, std::nullopt};
      entry += " (" + out.module + ")";
      if (const YAML::Node settings = item["config"]; settings && !settings.IsNull()) {
        if (!settings.IsMap()) return modhook::unexpected(entry + ": 'config' must be a mapping");
        out.config = to_json(settings);
      }
      if (const YAML::Node enabled = item["enabled"]) {
        if (!enabled.IsScalar() || (enabled.Scalar() != "true" && enabled.Scalar() != "false"))
          return modhook::unexpected(entry + ": 'enabled' must be true or false");
        out.enabled = enabled.Scalar() == "true";
      }
      if (item["position"] || item["before"] || item["after"]) {
        modhook::placement place;
        if (const YAML::Node position = item["position"]) {
          const std::string where_to = position.IsScalar() ? position.Scalar() : "";
          if (where_to == "first")
            place.where = modhook::position::first;
          else if (where_to == "last")
            place.where = modhook::position::last;
          else if (where_to != "middle")
            return modhook::unexpected(entry + ": 'position' must be first, middle or last");
        }
        for (const char* side : {"before", "after"}) {
          const YAML::Node names = item[side];
          if (!names) continue;
          if (!names.IsSequence())
            return modhook::unexpected(entry + ": '" + side + "' must be a list of module names");
          auto& into = std::string_view(side) == "before" ? place.before : place.after;
          for (const auto& name : names) {
            if (!name.IsScalar() || name.Scalar().empty())
              return modhook::unexpected(entry + ": '" + side + "' must be a list of module names");
            into.push_back(name.Scalar());
          }
        }
        out.place = std::move(place);
      }
      config.modules.push_back(std::move(out));
    }
  } catch (const YAML::Exception& e) {
    return modhook::unexpected(where(path, e.mark) + ": modules entry " + std::to_string(index) + ": " + e.msg);
  } catch (const std::exception& e) {
    return modhook::unexpected(entry + ": " + e.what());
  }
  return config;
}

} // namespace homeserver
