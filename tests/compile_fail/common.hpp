// The category every compile-fail case uses. Each case compiles twice: as written (it must
// fail with the message on its EXPECT line) and with MODHOOK_VALID_TWIN (it must compile).
#include <modhook/modhook.hpp>

#include <optional>
#include <string>

struct event {
  std::string body;
};

struct third_party_rules {
  MODHOOK_CALLBACKS(third_party_rules,
    (check_event_allowed, modhook::all_must_pass, bool(const event&)),
    (on_new_event, modhook::run_all, void(const event&)),
    (is_user_expired, modhook::first_result, std::optional<bool>(const std::string&)));
};

struct spam_checker {
  MODHOOK_CALLBACKS(spam_checker, (user_may_invite, modhook::all_must_pass, bool(const std::string&, const std::string&)));
};

using hooks = modhook::registry<third_party_rules>;
