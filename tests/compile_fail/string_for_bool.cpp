// EXPECT: (the_callback_decides_with_a_bool_return_one_not_a_pointer_or_a_number\(\) \[with Slot = third_party_rules::modhook_slot_check_event_allowed|callable_returns_a_bool_not_a_pointer_or_a_number<third_party_rules::modhook_slot_check_event_allowed.*a string is true)
// DIAGNOSTICS: at most 15 lines, the first error naming check_event_allowed
#include "common.hpp"

// A Synapse module ported literally refuses with an error code: as a bool, a string is true,
// and the fail-closed check would allow the event.
void module(hooks::api& api) {
  (void)api.register_callbacks(third_party_rules{
#ifdef MODHOOK_VALID_TWIN
      .check_event_allowed = [](const event& e) { return e.body != "spam"; },
#else
      .check_event_allowed = [](const event& e) { return e.body == "spam" ? "M_FORBIDDEN" : nullptr; },
#endif
  });
}
