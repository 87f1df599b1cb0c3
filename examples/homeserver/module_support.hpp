#ifndef HOMESERVER_MODULE_SUPPORT_HPP
#define HOMESERVER_MODULE_SUPPORT_HPP

// What a module is given besides its modhook API: its configuration, the web server, an HTTP
// client and a log. Each module is a shared library (modules/*.cpp) that links against
// homeserver_module_api and is constructed from (const json& config, module_services&, api).

#include "categories.hpp"
#include "http/client.hpp"
#include "json.hpp"
#include "web_resources.hpp"

#include <chrono>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace homeserver {

/// Thrown by a module's constructor when its configuration is not acceptable.
struct config_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// How modules call out over HTTP, as Synapse's ModuleApi.http_client: the host passes
/// http::fetch; unit tests pass a stand-in.
using http_fetcher =
    std::function<boost::asio::awaitable<http::reply>(const http::url&, std::string method, std::string body,
                                                      std::string content_type, std::chrono::milliseconds timeout)>;

/// The host's services, as one module sees them.
class module_services {
public:
  module_services(std::string module, web_resources& web, std::function<void(const std::string&)> log,
                  http_fetcher fetch = {})
      : module_(std::move(module)), web_(&web), log_(std::move(log)), fetch_(std::move(fetch)) {}

  /// Registers a web resource under this module's name; a refusal is also logged.
  bool register_web_resource(std::string path, web_handler handler) {
    auto added = web_->add(module_, std::move(path), std::move(handler));
    if (!added) log("web resource refused: " + added.error().message());
    return added.has_value();
  }
  void log(const std::string& line) const { log_(line); }
  /// Calls out over HTTP; throws http::client_error when the call fails.
  boost::asio::awaitable<http::reply> fetch(const http::url& to, std::string method, std::string body,
                                            std::string content_type, std::chrono::milliseconds timeout) const {
    if (!fetch_) throw http::client_error(to.text() + ": this host gives modules no HTTP client");
    return fetch_(to, std::move(method), std::move(body), std::move(content_type), timeout);
  }
  const std::string& module_name() const noexcept { return module_; }

private:
  std::string module_;
  web_resources* web_;
  std::function<void(const std::string&)> log_;
  http_fetcher fetch_;
};

// Config helpers: a missing key gives the default; a key of the wrong kind is a config_error.
std::string config_string(const json& config, std::string_view key, std::string fallback);
std::vector<std::string> config_strings(const json& config, std::string_view key);
std::int64_t config_integer(const json& config, std::string_view key, std::int64_t fallback);

} // namespace homeserver

#endif
