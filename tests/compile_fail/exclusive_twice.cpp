// EXPECT: static_registry_exclusive_callback_is_implemented_by_the_modules_at<.*modhook_slot_check_password, 0(ul|UL)?, 2(ul|UL)?>
// DIAGNOSTICS: at most 24 lines, the first error naming static_registry
#include <modhook/modhook.hpp>

#include <optional>
#include <string>

struct auth {
  MODHOOK_CALLBACKS(auth,
    (check_password, modhook::exclusive<modhook::first_result>, std::optional<bool>(const std::string&)),
    (on_login, modhook::run_all, void(const std::string&)));
};

std::optional<bool> ldap(const std::string& user) { return user == "alice"; }
std::optional<bool> saml(const std::string&) { return std::nullopt; }
void audit(const std::string&) {}

// Two modules implement the exclusive callback; the twin's second module leaves it unset.
constexpr auth first{.check_password = &ldap};
constexpr auth middle{.on_login = &audit};
#ifdef MODHOOK_VALID_TWIN
constexpr auth second{.on_login = &audit};
#else
constexpr auth second{.check_password = &saml, .on_login = &audit};
#endif
using hooks = modhook::static_registry<first, middle, second>;

bool host() { return hooks::dispatch<&auth::check_password>(std::string("alice")).has_value(); }
