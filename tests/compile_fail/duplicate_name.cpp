// EXPECT: modhook: presence_router::get_users_for_states: this callback name is listed more than once in the category
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
