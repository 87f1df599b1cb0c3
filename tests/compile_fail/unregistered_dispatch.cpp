// EXPECT: modhook: spam_checker::user_may_invite: this registry does not hold the category spam_checker
#include "common.hpp"

#ifdef MODHOOK_VALID_TWIN
using host_hooks = modhook::registry<third_party_rules, spam_checker>;
#else
using host_hooks = modhook::registry<third_party_rules>;
#endif

bool host(const host_hooks& h) {
  return h.dispatch<&spam_checker::user_may_invite>(std::string("@a"), std::string("@b")).passed();
}
