// EXPECT: (this_callback_name_is_listed_more_than_once_in_the_category\(\) \[with Slot = presence_router::modhook_slot_get_users_for_states\]|callback_name_is_listed_once<presence_router::modhook_slot_get_users_for_states, 2>)
// DIAGNOSTICS: at most 94 lines, the first error naming get_users_for_states
// Not 15: after modhook's error, the language itself reports the second declaration of the
// member (and of its slot type) and g++ traces, for each, the macros it was expanded in
// (clang++ prints 29). It printed 4,200 lines before the for-each stopped rescanning.
#include "common.hpp"

#include <set>

struct presence_router {
#ifdef MODHOOK_VALID_TWIN
  MODHOOK_CALLBACKS(presence_router,
    (get_users_for_states, modhook::run_all, void(int)),
    (get_interested_users, modhook::run_all, void(int)));
#else
  MODHOOK_CALLBACKS(presence_router,
    (get_users_for_states, modhook::run_all, void(int)),
    (get_users_for_states, modhook::run_all, void(int)));
#endif
};
