#ifndef HOMESERVER_WEB_RESOURCES_HPP
#define HOMESERVER_WEB_RESOURCES_HPP

// Web resources modules register at absolute paths, as Synapse's register_web_resource.
// The first module to claim a path keeps it; registration ends with start-up.

#include <modhook/expected.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace homeserver {

struct web_response {
  int status = 200;
  std::string body;
};
using web_handler = std::function<web_response(std::string_view request_body)>;

struct web_resource_error {
  enum class kind { relative_path, reserved_path, already_claimed, after_startup };
  kind what;
  std::string path;
  std::string module; // who asked
  std::string owner;  // who holds the path, for already_claimed
  std::string message() const;
};

class web_resources {
public:
  modhook::expected<void, web_resource_error> add(std::string_view module, std::string path, web_handler handler);
  void seal() noexcept { sealed_ = true; }

  /// The answer of the resource at `path`, or nothing when no module registered it.
  std::optional<web_response> handle(std::string_view path, std::string_view request_body) const;
  /// The module that owns `path`, if any.
  std::optional<std::string> owner(std::string_view path) const;

private:
  struct resource {
    std::string module;
    web_handler handler;
  };
  std::map<std::string, resource, std::less<>> resources_;
  bool sealed_ = false;
};

} // namespace homeserver

#endif
