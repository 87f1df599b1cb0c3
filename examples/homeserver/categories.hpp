#ifndef HOMESERVER_CATEGORIES_HPP
#define HOMESERVER_CATEGORIES_HPP

// The three callback categories of Synapse's module API, each callback with its documented
// signature and combination rule (see README.md in this folder for the rules in words).
// Every callback is asynchronous, as Synapse's are: an implementation is an Asio coroutine
// (the event censorer awaits an HTTP service) or a plain callable, called inline.

#include "types.hpp"

#include <modhook/asio.hpp>
#include <modhook/live_registry.hpp>
#include <modhook/modhook.hpp>

#include <optional>
#include <string>

// What lets the next module be asked, per result type. Specialized before any category uses
// the type: the policy is checked where the category is declared.
template <>
struct modhook::pass_traits<homeserver::spam_verdict> {
  static bool passes(const homeserver::spam_verdict& v) noexcept { return !v.spam; }
};
// Only "allowed, nothing replaced" falls through: a rejection or a replacement is the answer.
template <>
struct modhook::pass_traits<homeserver::allow_result> {
  static bool passes(const homeserver::allow_result& r) noexcept { return r.allowed && !r.replacement_content; }
};

namespace homeserver {

using boost::asio::awaitable;

// The first answer that is not "not spam" / "allowed" wins, and later modules are not asked.
// A failing module fails closed: the action is refused, not counted as a rejection.
struct spam_checker {
  MODHOOK_CALLBACKS(
      spam_checker, (check_event_for_spam, modhook::all_must_pass, awaitable<spam_verdict>(const event&)),
      (user_may_invite, modhook::all_must_pass,
       awaitable<bool>(const std::string& inviter, const std::string& invitee, const std::string& room_id)),
      (user_may_create_room, modhook::all_must_pass, awaitable<bool>(const std::string& user)),
      (check_media_file_for_spam, modhook::all_must_pass, awaitable<bool>(const media_file&, const file_info&)));
};

struct account_validity {
  MODHOOK_CALLBACKS(account_validity,
                    // The first module that knows wins; none knows -> not expired.
                    (is_user_expired, modhook::first_result, awaitable<std::optional<bool>>(const std::string& user)),
                    (on_user_registration, modhook::run_all, awaitable<void>(const std::string& user)));
};

#ifndef HOMESERVER_OLDER_CATEGORIES
using threepid_bind_signature = awaitable<void>(const std::string& user_id, const std::string& medium,
                                                const std::string& address);
#else
// As an older release of this host declared it, without the medium: a module built against it
// (the build's stale_modules/room_guard.so) is refused by the host, which names this category.
using threepid_bind_signature = awaitable<void>(const std::string& user_id, const std::string& address);
#endif

struct third_party_rules {
  MODHOOK_CALLBACKS(
      third_party_rules,
      // Stops at the first rejection or replacement; a throwing module fails closed.
      (check_event_allowed, modhook::all_must_pass, awaitable<allow_result>(const event&, const state_map&)),
      // May edit the request; the first exception forbids the room and stops the rest.
      (on_create_room, modhook::first_exception,
       awaitable<void>(const requester&, json& request, bool is_requester_admin)),
      // The first false wins; a failing module is logged and skipped.
      (check_threepid_can_be_invited, modhook::all_must_pass_fail_open,
       awaitable<bool>(const std::string& medium, const std::string& address, const state_map&)),
      (check_visibility_can_be_modified, modhook::all_must_pass_fail_open,
       awaitable<bool>(const std::string& room_id, const state_map&, const std::string& new_visibility)),
      (check_can_shutdown_room, modhook::all_must_pass_fail_open,
       awaitable<bool>(const std::string& user_id, const std::string& room_id)),
      (check_can_deactivate_user, modhook::all_must_pass_fail_open,
       awaitable<bool>(const std::string& user_id, bool by_admin)),
      // Notifications: every module runs; a failure is logged and never stops the others.
      (on_new_event, modhook::run_all, awaitable<void>(const event&, const state_map&)),
      (on_profile_update, modhook::run_all,
       awaitable<void>(const std::string& user_id, const profile_info&, bool by_admin, bool deactivation)),
      (on_user_deactivation_status_changed, modhook::run_all,
       awaitable<void>(const std::string& user_id, bool deactivated, bool by_admin)),
      (on_threepid_bind, modhook::run_all, threepid_bind_signature));
};

// Live: the host reloads its modules while it serves (host::reload).
using hooks = modhook::live_registry<spam_checker, account_validity, third_party_rules>;

} // namespace homeserver

#endif
