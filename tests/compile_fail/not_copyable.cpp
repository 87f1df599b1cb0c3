// EXPECT: (a_callable_stored_on_the_heap_must_be_copy_constructible\(\) \[with Slot = third_party_rules::modhook_slot_on_new_event|callable_stored_on_the_heap_is_copyable<third_party_rules::modhook_slot_on_new_event)
// DIAGNOSTICS: at most 15 lines, the first error naming on_new_event
#include "common.hpp"

#include <memory>

#ifdef MODHOOK_VALID_TWIN
third_party_rules registered{.on_new_event = [p = std::make_shared<int>(1)](const event&) { (void)p; }};
#else
third_party_rules registered{.on_new_event = [p = std::make_unique<int>(1)](const event&) { (void)p; }};
#endif
