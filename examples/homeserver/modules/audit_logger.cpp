// Writes an audit line for every event, profile change, (de)activation and third-party bind,
// and serves the number of lines written at /_synapse/client/audit/count.

#include "../module_support.hpp"

#include <modhook/shared_module.hpp>

#include <string>

namespace homeserver {

class audit_logger {
public:
  audit_logger(const json& config, module_services& services, hooks::api& api);
  void on_new_event(const event& e, const state_map& state) const;
  void on_profile_update(const std::string& user_id, const profile_info& profile, bool by_admin,
                         bool deactivation) const;
  void on_user_deactivation_status_changed(const std::string& user_id, bool deactivated, bool by_admin) const;
  void on_threepid_bind(const std::string& user_id, const std::string& medium, const std::string& address) const;

  awaitable<web_response> count() const;

private:
  void write(const std::string& line) const;
  std::string prefix_;
  module_services* services_;
  mutable long long lines_ = 0;
};

audit_logger::audit_logger(const json& config, module_services& services, hooks::api& api)
    : prefix_(config_string(config, "prefix", "audit")), services_(&services) {
  (void)api.register_callbacks(third_party_rules{
      .on_new_event = modhook::bind<&audit_logger::on_new_event>(this),
      .on_profile_update = modhook::bind<&audit_logger::on_profile_update>(this),
      .on_user_deactivation_status_changed = modhook::bind<&audit_logger::on_user_deactivation_status_changed>(this),
      .on_threepid_bind = modhook::bind<&audit_logger::on_threepid_bind>(this),
  });
  services.register_web_resource("/_synapse/client/audit/count", [this](web_request) { return count(); });
}

awaitable<web_response> audit_logger::count() const { co_return web_response{200, dump(json{{"lines", lines_}})}; }

void audit_logger::write(const std::string& line) const {
  ++lines_;
  services_->log(prefix_ + ": " + line);
}

void audit_logger::on_new_event(const event& e, const state_map& state) const {
  write(e.event_id + " " + e.type + " from " + e.sender + " in " + e.room_id + " (" + std::to_string(state.size()) +
        " state events)");
}

void audit_logger::on_profile_update(const std::string& user_id, const profile_info& profile, bool by_admin,
                                     bool deactivation) const {
  write("profile of " + user_id + " is now '" + profile.display_name + "'" + (by_admin ? " (by an admin)" : "") +
        (deactivation ? " (deactivation)" : ""));
}

void audit_logger::on_user_deactivation_status_changed(const std::string& user_id, bool deactivated,
                                                       bool by_admin) const {
  write(user_id + (deactivated ? " deactivated" : " reactivated") + (by_admin ? " by an admin" : ""));
}

void audit_logger::on_threepid_bind(const std::string& user_id, const std::string& medium,
                                    const std::string& address) const {
  write(user_id + " bound " + medium + " " + address);
}

} // namespace homeserver

// The one line that makes this library a module the host can load by name.
MODHOOK_SHARED_MODULE(homeserver::hooks, homeserver::audit_logger, const homeserver::json&,
                      homeserver::module_services&);
