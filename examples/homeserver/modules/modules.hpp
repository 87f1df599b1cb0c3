#ifndef HOMESERVER_MODULES_HPP
#define HOMESERVER_MODULES_HPP

// The modules compiled into the reference host. Each is constructed from its config, its
// services and its modhook API, and registers the callbacks it implements.

#include "../module_support.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

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

class invite_blocker {
public:
  invite_blocker(const json& config, module_services& services, hooks::api& api);
  bool user_may_invite(const std::string& inviter, const std::string& invitee, const std::string& room_id) const;
  bool check_threepid_can_be_invited(const std::string& medium, const std::string& address, const state_map&) const;

private:
  std::vector<std::string> blocked_servers_;
  std::vector<std::string> blocked_domains_;
};

class room_guard {
public:
  room_guard(const json& config, module_services& services, hooks::api& api);
  void on_create_room(const requester& who, json& request, bool is_admin) const;
  bool check_visibility_can_be_modified(const std::string& room_id, const state_map&,
                                        const std::string& new_visibility) const;
  bool check_can_shutdown_room(const std::string& user_id, const std::string& room_id) const;
  bool user_may_create_room(const std::string& user) const;

private:
  std::vector<std::string> forbidden_names_;
  std::vector<std::string> protected_rooms_;
  std::vector<std::string> room_creators_;
  std::string tag_;
};

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

class flaky_module {
public:
  flaky_module(const json& config, module_services& services, hooks::api& api);
  spam_verdict check_event_for_spam(const event& e) const;
  bool check_media_file_for_spam(const media_file& file, const file_info& info) const;
  allow_result check_event_allowed(const event& e, const state_map& state) const;
  bool check_can_deactivate_user(const std::string& user_id, bool by_admin) const;
  void on_new_event(const event& e, const state_map& state) const;
  awaitable<web_response> unavailable() const;

private:
  std::string trigger_;
  std::string notify_trigger_;
  std::string spam_phrase_;
};

} // namespace homeserver

#endif
