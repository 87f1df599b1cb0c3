// A port of the event censorer from Synapse's third-party rules documentation: each message
// event goes, as JSON, to a censoring HTTP service, and the event's content is replaced with
// the service's answer when it differs. A service that is down, slower than the configured
// timeout or answering anything but a JSON object makes the module fail, and so the event is
// refused (check_event_allowed fails closed).

#include "../module_support.hpp"

#include <modhook/shared_module.hpp>

#include <chrono>
#include <string>

namespace homeserver {

class event_censorer {
public:
  event_censorer(const json& config, module_services& services, hooks::api& api);
  awaitable<allow_result> check_event_allowed(const event& e, const state_map& state);
  awaitable<web_response> stats() const;

private:
  module_services* services_;
  http::url endpoint_;
  std::chrono::milliseconds timeout_{};
  long long censored_ = 0; // the homeserver runs its modules on one strand
};

event_censorer::event_censorer(const json& config, module_services& services, hooks::api& api) : services_(&services) {
  const std::string endpoint = config_string(config, "endpoint", "");
  if (endpoint.empty()) throw config_error("event_censorer needs 'endpoint', the censor service's URL");
  auto parsed = http::parse_url(endpoint);
  if (!parsed) throw config_error("event_censorer: 'endpoint' " + endpoint + ": " + parsed.error());
  endpoint_ = std::move(*parsed);
  const auto timeout = config_integer(config, "timeout_ms", 1000);
  if (timeout < 1 || timeout > 60000) throw config_error("event_censorer: 'timeout_ms' must be from 1 to 60000");
  timeout_ = std::chrono::milliseconds(timeout);
  (void)api.register_callbacks(third_party_rules{
      .check_event_allowed = modhook::bind<&event_censorer::check_event_allowed>(this),
  });
  services.register_web_resource("/_synapse/client/censor/stats", [this](web_request) { return stats(); });
}

awaitable<allow_result> event_censorer::check_event_allowed(const event& e, const state_map&) {
  if (e.type != "m.room.message") co_return allow_result::allow();
  const json sent = {
      {"event_id", e.event_id}, {"room_id", e.room_id}, {"sender", e.sender}, {"type", e.type}, {"content", e.content}};
  const http::reply reply = co_await services_->fetch(endpoint_, "POST", dump(sent), "application/json", timeout_);
  if (reply.status != 200)
    throw http::client_error(endpoint_.text() + ": the censor service answered " + std::to_string(reply.status));
  json_reading answer = read_json(reply.body);
  if (!answer) throw http::client_error(endpoint_.text() + ": the censor service's answer " + answer.reason);
  json censored = std::move(answer.value);
  if (!censored.is_object())
    throw http::client_error(endpoint_.text() + ": the censor service's answer is not a JSON object");
  if (censored == e.content) co_return allow_result::allow();
  ++censored_;
  co_return allow_result::replace(std::move(censored));
}

awaitable<web_response> event_censorer::stats() const {
  co_return web_response{200, dump(json{{"censored", censored_}})};
}

} // namespace homeserver

// The one line that makes this library a module the host can load by name.
MODHOOK_SHARED_MODULE(homeserver::hooks, homeserver::event_censorer, const homeserver::json&,
                      homeserver::module_services&);
