// Account validity: users listed as expired are locked out; users of the local server are
// known to be valid; anyone else is left to other modules. Registered users are remembered,
// and listed accounts cannot be deactivated.

#include "../module_support.hpp"

#include <modhook/shared_module.hpp>

#include <optional>
#include <string>
#include <vector>
#include <algorithm>

namespace homeserver {

class account_expiry {
public:
  account_expiry(const json& config, module_services& services, hooks::api& api);
  std::optional<bool> is_user_expired(const std::string& user) const;
  void on_user_registration(const std::string& user);
  bool check_can_deactivate_user(const std::string& user_id, bool by_admin) const;

private:
  std::vector<std::string> expired_;
  std::string local_server_;
  std::vector<std::string> undeletable_;
  std::vector<std::string> registered_;
  module_services* services_;
};

account_expiry::account_expiry(const json& config, module_services& services, hooks::api& api)
    : expired_(config_strings(config, "expired_users")), local_server_(config_string(config, "server_name", "")),
      undeletable_(config_strings(config, "undeletable_users")), services_(&services) {
  if (local_server_.empty()) throw config_error("account_expiry needs 'server_name'");
  (void)api.register_callbacks(account_validity{
      .is_user_expired = modhook::bind<&account_expiry::is_user_expired>(this),
      .on_user_registration = modhook::bind<&account_expiry::on_user_registration>(this),
  });
  (void)api.register_callbacks(third_party_rules{
      .check_can_deactivate_user = modhook::bind<&account_expiry::check_can_deactivate_user>(this),
  });
}

std::optional<bool> account_expiry::is_user_expired(const std::string& user) const {
  if (std::find(expired_.begin(), expired_.end(), user) != expired_.end()) return true;
  if (user.ends_with(":" + local_server_)) return false;
  return std::nullopt;
}

void account_expiry::on_user_registration(const std::string& user) {
  registered_.push_back(user);
  services_->log("account_expiry: tracking " + user + " (" + std::to_string(registered_.size()) + " tracked)");
}

bool account_expiry::check_can_deactivate_user(const std::string& user_id, bool) const {
  return std::find(undeletable_.begin(), undeletable_.end(), user_id) == undeletable_.end();
}

} // namespace homeserver

// The one line that makes this library a module the host can load by name.
MODHOOK_SHARED_MODULE(homeserver::hooks, homeserver::account_expiry, const homeserver::json&,
                      homeserver::module_services&);
