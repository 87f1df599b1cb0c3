// EXPECT: modhook: spam_checker: this registry does not hold the category spam_checker
#include "common.hpp"

#ifdef MODHOOK_VALID_TWIN
using host_hooks = modhook::registry<third_party_rules, spam_checker>;
#else
using host_hooks = modhook::registry<third_party_rules>;
#endif

void module(host_hooks::api& api) {
  (void)api.register_callbacks(spam_checker{.user_may_invite = [](const std::string&, const std::string&) { return true; }});
}
