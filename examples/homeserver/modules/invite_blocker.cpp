// Refuses invites to users on blocked servers, and third-party invites to blocked domains.

#include "../module_support.hpp"

#include <modhook/shared_module.hpp>

#include <string>
#include <vector>

namespace homeserver {

class invite_blocker {
public:
  invite_blocker(const json& config, module_services& services, hooks::api& api);
  bool user_may_invite(const std::string& inviter, const std::string& invitee, const std::string& room_id) const;
  bool check_threepid_can_be_invited(const std::string& medium, const std::string& address, const state_map&) const;

private:
  std::vector<std::string> blocked_servers_;
  std::vector<std::string> blocked_domains_;
};

namespace {
// Server names and email domains compare without regard to case.
std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}
std::string server_of(std::string_view user_id) {
  const auto colon = user_id.find(':');
  return colon == std::string_view::npos ? std::string() : lower(user_id.substr(colon + 1));
}
std::string domain_of(std::string_view address) {
  const auto at = address.rfind('@');
  return at == std::string_view::npos ? std::string() : lower(address.substr(at + 1));
}
bool contains(const std::vector<std::string>& list, std::string_view value) {
  for (const auto& item : list)
    if (lower(item) == value) return true;
  return false;
}
} // namespace

invite_blocker::invite_blocker(const json& config, module_services&, hooks::api& api)
    : blocked_servers_(config_strings(config, "blocked_servers")),
      blocked_domains_(config_strings(config, "blocked_email_domains")) {
  (void)api.register_callbacks(spam_checker{
      .user_may_invite = modhook::bind<&invite_blocker::user_may_invite>(this),
  });
  (void)api.register_callbacks(third_party_rules{
      .check_threepid_can_be_invited = modhook::bind<&invite_blocker::check_threepid_can_be_invited>(this),
  });
}

bool invite_blocker::user_may_invite(const std::string&, const std::string& invitee, const std::string&) const {
  return !contains(blocked_servers_, server_of(invitee));
}

bool invite_blocker::check_threepid_can_be_invited(const std::string& medium, const std::string& address,
                                                   const state_map&) const {
  return medium != "email" || !contains(blocked_domains_, domain_of(address));
}

} // namespace homeserver

// The one line that makes this library a module the host can load by name.
MODHOOK_SHARED_MODULE(homeserver::hooks, homeserver::invite_blocker, const homeserver::json&,
                      homeserver::module_services&);
