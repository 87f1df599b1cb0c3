// A module that fails on purpose, to show what each policy does with a failure: it throws
// from a fail-closed check (the action is refused, not counted as a rejection), from a
// fail-open check (logged and skipped), and from a notification (logged; the others run).
// It also flags spam, tries to claim a path reserved for the homeserver, and claims the path
// of its config's `claim_path` (in the shipped config, one another module wants too).

#include "../module_support.hpp"

#include <modhook/shared_module.hpp>

#include <string>
#include <stdexcept>

namespace homeserver {

class flaky_module {
public:
  flaky_module(const json& config, module_services& services, hooks::api& api);
  spam_verdict check_event_for_spam(const event& e) const;
  bool check_media_file_for_spam(const media_file& file, const file_info& info) const;
  allow_result check_event_allowed(const event& e, const state_map& state) const;
  bool check_can_deactivate_user(const std::string& user_id, bool by_admin) const;
  void on_new_event(const event& e, const state_map& state) const;
  awaitable<web_response> unavailable() const;
  awaitable<web_response> claimed() const;

private:
  std::string trigger_;
  std::string notify_trigger_;
  std::string spam_phrase_;
  std::string claim_fails_; // "yes": its claimed path's handler throws; "other": throws a non-std::exception
};

namespace {
// What the triggers are looked for in: a message's body, a membership's display name.
std::string body_of(const event& e) {
  const std::string* body = string_member(e.content, e.type == "m.room.member" ? "displayname" : "body");
  return body != nullptr ? *body : std::string();
}
} // namespace

flaky_module::flaky_module(const json& config, module_services& services, hooks::api& api)
    : trigger_(config_string(config, "trigger", "crash")),
      notify_trigger_(config_string(config, "notify_trigger", "flood")),
      spam_phrase_(config_string(config, "spam_phrase", "buy now")),
      claim_fails_(config_string(config, "claim_fails", "")) {
  (void)api.register_callbacks(spam_checker{
      .check_event_for_spam = modhook::bind<&flaky_module::check_event_for_spam>(this),
      .check_media_file_for_spam = modhook::bind<&flaky_module::check_media_file_for_spam>(this),
  });
  (void)api.register_callbacks(third_party_rules{
      .check_event_allowed = modhook::bind<&flaky_module::check_event_allowed>(this),
      .check_can_deactivate_user = modhook::bind<&flaky_module::check_can_deactivate_user>(this),
      .on_new_event = modhook::bind<&flaky_module::on_new_event>(this),
  });
  // Refused: the homeserver keeps /_matrix/client for itself. The module carries on.
  services.register_web_resource("/_matrix/client/v3/flaky", [this](web_request) { return unavailable(); });
  // A path of its own choosing: the first module to claim a path keeps it.
  if (const auto path = config_string(config, "claim_path", ""); !path.empty())
    services.register_web_resource(path, [this](web_request) { return claimed(); });
  // A constructor that throws after handing the host a handler (its own code): the host must
  // drop that handler before it closes the library.
  if (config_string(config, "fail_after_claiming", "") == "yes")
    throw config_error("flaky_module: failing after claiming its path, as 'fail_after_claiming' asks");
}

awaitable<web_response> flaky_module::unavailable() const { co_return web_response{503, R"({"flaky":true})"}; }

awaitable<web_response> flaky_module::claimed() const {
  if (claim_fails_ == "yes") throw std::runtime_error("flaky_module: its resource fails, as 'claim_fails' asks");
  if (claim_fails_ == "other") throw 42; // what a handler may throw too
  co_return co_await unavailable();
}

spam_verdict flaky_module::check_event_for_spam(const event& e) const {
  if (body_of(e).find(spam_phrase_) != std::string::npos) return spam_verdict::because("looks like an advert");
  return spam_verdict::not_spam();
}

bool flaky_module::check_media_file_for_spam(const media_file& file, const file_info& info) const {
  if (file.bytes.empty()) throw std::runtime_error("cannot scan an empty upload (" + info.name + ")");
  return info.content_type != "application/x-msdownload";
}

allow_result flaky_module::check_event_allowed(const event& e, const state_map&) const {
  if (body_of(e).find(trigger_) != std::string::npos) throw std::runtime_error("rules engine crashed");
  return allow_result::allow();
}

bool flaky_module::check_can_deactivate_user(const std::string& user_id, bool) const {
  throw std::runtime_error("directory unavailable while checking " + user_id);
}

void flaky_module::on_new_event(const event& e, const state_map&) const {
  if (body_of(e).find(notify_trigger_) != std::string::npos) throw std::runtime_error("notification queue full");
}

} // namespace homeserver

// The one line that makes this library a module the host can load by name.
MODHOOK_SHARED_MODULE(homeserver::hooks, homeserver::flaky_module, const homeserver::json&,
                      homeserver::module_services&);
