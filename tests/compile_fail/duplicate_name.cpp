// EXPECT: (this_callback_name_is_listed_more_than_once_in_the_category\(\) \[with Slot = presence_router::modhook_slot_get_users_for_states\]|callback_name_is_listed_once<presence_router::modhook_slot_get_users_for_states, 2>)
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
