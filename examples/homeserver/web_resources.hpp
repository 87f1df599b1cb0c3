#ifndef HOMESERVER_WEB_RESOURCES_HPP
#define HOMESERVER_WEB_RESOURCES_HPP

// Web resources modules register at absolute paths, as Synapse's register_web_resource; the
// homeserver's HTTP server serves them. The first module to claim a path keeps it;
// registration ends when the modules of a generation are loaded. Handlers are asynchronous.

#include <modhook/expected.hpp>

#include <utility> // before any Asio header (g++ 12)

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace homeserver {

struct web_request {
  std::string method;
  std::string body;
};
struct web_response {
  int status = 200;
  std::string body; // JSON
};
/// A resource's handler. A lambda that forwards to a member coroutine keeps the coroutine's
/// state out of the lambda (g++ 12 mishandles coroutine lambdas that capture).
using web_handler = std::function<boost::asio::awaitable<web_response>(web_request)>;

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

  struct resource {
    std::string module;
    web_handler handler;
  };
  /// The resource at `path`, or nullptr when no module registered it.
  const resource* find(std::string_view path) const;

private:
  std::map<std::string, resource, std::less<>> resources_;
  bool sealed_ = false;
};

} // namespace homeserver

#endif
