#include "web_resources.hpp"

namespace homeserver {

std::string web_resource_error::message() const {
  const std::string who = "module '" + module + "'";
  switch (what) {
  case kind::relative_path: return who + " cannot register '" + path + "': a web resource path must be absolute";
  case kind::reserved_path:
    return who + " cannot register '" + path + "': paths under /_matrix/client belong to the homeserver";
  case kind::already_claimed:
    return who + " cannot register '" + path + "': already registered by module '" + owner + "'";
  case kind::after_startup:
    return who + " cannot register '" + path + "': web resources are registered while the module loads";
  }
  return who + ": unknown web resource error";
}

namespace {
bool reserved(std::string_view path) {
  constexpr std::string_view client = "/_matrix/client";
  return path.starts_with(client) && (path.size() == client.size() || path[client.size()] == '/');
}
} // namespace

modhook::expected<void, web_resource_error> web_resources::add(std::string_view module, std::string path,
                                                               web_handler handler) {
  using kind = web_resource_error::kind;
  auto refuse = [&](kind what, std::string owner = {}) {
    return modhook::unexpected(web_resource_error{what, path, std::string(module), std::move(owner)});
  };
  if (sealed_) return refuse(kind::after_startup);
  if (!path.starts_with('/')) return refuse(kind::relative_path);
  if (reserved(path)) return refuse(kind::reserved_path);
  if (const auto it = resources_.find(path); it != resources_.end())
    return refuse(kind::already_claimed, it->second.module);
  resources_.emplace(std::move(path), resource{std::string(module), std::move(handler)});
  return {};
}

const web_resources::resource* web_resources::find(std::string_view path) const {
  const auto it = resources_.find(path);
  return it == resources_.end() ? nullptr : &it->second;
}

} // namespace homeserver
