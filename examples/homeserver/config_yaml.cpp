#include "config.hpp"

#include <yaml-cpp/yaml.h>

#include <charconv>

namespace homeserver {

namespace {

std::string where(const std::string& path, const YAML::Mark& mark) {
  return path + ":" + std::to_string(mark.line + 1);
}

// A plain scalar is read as YAML's core schema reads it (null, bool, integer, else string); a
// quoted one is always a string.
json scalar(const YAML::Node& node) {
  const std::string& text = node.Scalar();
  if (node.Tag() == "!") return json(text);
  if (text == "~" || text == "null" || text == "Null" || text == "NULL") return json(nullptr);
  if (text == "true" || text == "True" || text == "TRUE") return json(true);
  if (text == "false" || text == "False" || text == "FALSE") return json(false);
  std::int64_t number = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error == std::errc{} && end == text.data() + text.size() && !text.empty()) return json(number);
  return json(text);
}

json to_json(const YAML::Node& node) {
  switch (node.Type()) {
  case YAML::NodeType::Null:
  case YAML::NodeType::Undefined: return json(nullptr);
  case YAML::NodeType::Scalar: return scalar(node);
  case YAML::NodeType::Sequence: {
    json::array items;
    for (const auto& item : node) items.push_back(to_json(item));
    return json(std::move(items));
  }
  case YAML::NodeType::Map: {
    json::object members;
    for (const auto& member : node) members.insert_or_assign(member.first.as<std::string>(), to_json(member.second));
    return json(std::move(members));
  }
  }
  return json(nullptr);
}

} // namespace

modhook::expected<std::vector<module_entry>, std::string> read_module_config(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    return modhook::unexpected(path + ": cannot read the file");
  } catch (const YAML::ParserException& e) {
    return modhook::unexpected(where(path, e.mark) + ": malformed YAML: " + e.msg);
  }
  if (!root.IsMap() || !root["modules"])
    return modhook::unexpected(path + ": expected a top-level 'modules:' list");
  const YAML::Node modules = root["modules"];
  if (!modules.IsSequence()) return modhook::unexpected(where(path, modules.Mark()) + ": 'modules' must be a list");

  std::vector<module_entry> entries;
  int index = 0;
  // Conversions throw on shapes the checks below do not foresee (a key that is a list, say);
  // each becomes the same one-line error.
  try {
  for (const auto& item : modules) {
    ++index;
    const std::string entry = where(path, item.Mark()) + ": modules entry " + std::to_string(index);
    if (!item.IsMap()) return modhook::unexpected(entry + ": expected 'module:' and 'config:' keys");
    for (const auto& key : item) {
      const auto name = key.first.as<std::string>();
      if (name != "module" && name != "config")
        return modhook::unexpected(entry + ": unknown key '" + name + "' (expected 'module' or 'config')");
    }
    const YAML::Node module = item["module"];
    if (!module || !module.IsScalar() || module.Scalar().empty())
      return modhook::unexpected(entry + ": 'module' must name a module");
    module_entry out{module.Scalar(), json(json::object{}), item.Mark().line + 1};
    if (const YAML::Node config = item["config"]; config && !config.IsNull()) {
      if (!config.IsMap()) return modhook::unexpected(entry + " (" + out.module + "): 'config' must be a mapping");
      out.config = to_json(config);
    }
    entries.push_back(std::move(out));
  }
  } catch (const YAML::Exception& e) {
    return modhook::unexpected(where(path, e.mark) + ": modules entry " + std::to_string(index) + ": " + e.msg);
  }
  return entries;
}

} // namespace homeserver
