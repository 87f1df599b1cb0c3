// EXPECT: (the_signature_is_not_a_function_type_R_of_Args_entries_are_name_policy_signature\(\) \[with Slot = presence_router::modhook_slot_get_users_for_states; Signature = modhook::v0_[0-9]+_[a-z]+::run_all\]|signature_is_a_function_type_R_of_Args<presence_router::modhook_slot_get_users_for_states, modhook::run_all>)
// DIAGNOSTICS: at most 15 lines, the first error naming get_users_for_states
#include "common.hpp"

struct presence_router {
#ifdef MODHOOK_VALID_TWIN
  MODHOOK_CALLBACKS(presence_router, (get_users_for_states, modhook::run_all, void(int)));
#else
  MODHOOK_CALLBACKS(presence_router, (get_users_for_states, void(int), modhook::run_all));
#endif
};
