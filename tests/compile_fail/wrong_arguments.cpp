// EXPECT: (the_callable_cannot_be_called_with_the_callback_arguments\(\) \[with Slot = third_party_rules::modhook_slot_check_event_allowed; Signature = bool\(const event&\); Given = <lambda\(int\)>|callable_takes_the_callback_arguments<third_party_rules::modhook_slot_check_event_allowed, bool \(const event &\), \(lambda)
// DIAGNOSTICS: at most 15 lines, the first error naming check_event_allowed
#include "common.hpp"

#ifdef MODHOOK_VALID_TWIN
third_party_rules registered{.check_event_allowed = [](const event&) { return true; }};
#else
third_party_rules registered{.check_event_allowed = [](int) { return true; }};
#endif
