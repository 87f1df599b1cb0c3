// EXPECT: (the_callable_returns_a_task_of_another_type_than_the_callback\(\) \[with Slot = async_rules::modhook_slot_check|coroutine_returns_the_callback_task_type<async_rules::modhook_slot_check.*a task of another type)
// DIAGNOSTICS: at most 15 lines, the first error naming check
#include "common.hpp"

#include <modhook/task.hpp>

// A task type of the host's own, with its traits: not the one the callback declares.
struct other_task {};
template <>
struct modhook::task_traits<other_task> {
  using value_type = bool;
  template <class U>
  using rebind = other_task;
};

struct async_rules {
  MODHOOK_CALLBACKS(async_rules, (check, modhook::all_must_pass, modhook::task<bool>(const event&)));
};

void module(modhook::registry<async_rules>::api& api) {
  (void)api.register_callbacks(async_rules{
#ifdef MODHOOK_VALID_TWIN
      .check = [](const event&) { return modhook::task<bool>{}; },
#else
      .check = [](const event&) { return other_task{}; },
#endif
  });
}
