// EXPECT: (this_registry_does_not_hold_the_callback_category\(\) \[with Slot = spam_checker::modhook_slot_user_may_invite|registry_holds_the_callback_category<spam_checker::modhook_slot_user_may_invite)
// DIAGNOSTICS: at most 15 lines, the first error naming user_may_invite
#include "common.hpp"

#ifdef MODHOOK_VALID_TWIN
using host_hooks = modhook::registry<third_party_rules, spam_checker>;
#else
using host_hooks = modhook::registry<third_party_rules>;
#endif

bool host(const host_hooks& h) {
  return h.dispatch<&spam_checker::user_may_invite>(std::string("@a"), std::string("@b")).passed();
}
