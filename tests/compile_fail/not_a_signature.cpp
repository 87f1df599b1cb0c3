// EXPECT: modhook: presence_router::get_users_for_states: the signature modhook::run_all is not a function type R\(Args...\); entries are \(name, policy, signature\)
#include "common.hpp"

struct presence_router {
#ifdef MODHOOK_VALID_TWIN
  MODHOOK_CALLBACKS(presence_router, (get_users_for_states, modhook::run_all, void(int)));
#else
  MODHOOK_CALLBACKS(presence_router, (get_users_for_states, void(int), modhook::run_all));
#endif
};
