// EXPECT: (this_registry_does_not_hold_the_category\(\) \[with Category = spam_checker|registry_holds_the_category<spam_checker, modhook::registry<third_party_rules>>)
// DIAGNOSTICS: at most 15 lines, the first error naming spam_checker
#include "common.hpp"

#ifdef MODHOOK_VALID_TWIN
using host_hooks = modhook::registry<third_party_rules, spam_checker>;
#else
using host_hooks = modhook::registry<third_party_rules>;
#endif

void module(host_hooks::api& api) {
  (void)api.register_callbacks(spam_checker{.user_may_invite = [](const std::string&, const std::string&) { return true; }});
}
