// EXPECT: (the_callable_returns_a_task_of_another_type_than_the_callback\(\) \[with Slot = async_rules::modhook_slot_check|coroutine_returns_the_callback_task_type<async_rules::modhook_slot_check.*a task of another type)
// DIAGNOSTICS: at most 15 lines, the first error naming check
#include "common.hpp"

#include <modhook/task.hpp>

// A coroutine of modhook::task, but of another value than the callback's task<bool>.
struct async_rules {
  MODHOOK_CALLBACKS(async_rules, (check, modhook::all_must_pass, modhook::task<bool>(const event&)));
};

#ifdef MODHOOK_VALID_TWIN
modhook::task<bool> refuse(const event& e) { co_return e.body != "spam"; }
#else
modhook::task<int> refuse(const event& e) { co_return e.body == "spam" ? 403 : 0; }
#endif

void module(modhook::registry<async_rules>::api& api) {
  (void)api.register_callbacks(async_rules{.check = &refuse});
}
