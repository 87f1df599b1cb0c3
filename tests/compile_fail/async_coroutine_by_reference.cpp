// EXPECT: (the_coroutine_takes_by_reference_an_argument_passed_by_value\(\) \[with Slot = async_rules::modhook_slot_check|coroutine_takes_by_value_what_the_callback_passes_by_value<async_rules::modhook_slot_check.*the copy it refers to is gone)
// DIAGNOSTICS: at most 15 lines, the first error naming check
#include "common.hpp"

#include <modhook/task.hpp>

// The callback passes the room id by value: each module gets its own copy, made for the
// call. A coroutine that takes it by reference would refer to that copy after it is gone.
struct async_rules {
  MODHOOK_CALLBACKS(async_rules, (check, modhook::all_must_pass, modhook::task<bool>(std::string room)));
};

#ifdef MODHOOK_VALID_TWIN
modhook::task<bool> allowed(std::string room) { co_return room != "!spam"; }
#else
modhook::task<bool> allowed(const std::string& room) { co_return room != "!spam"; }
#endif

void module(modhook::registry<async_rules>::api& api) {
  (void)api.register_callbacks(async_rules{.check = &allowed});
}
