// EXPECT: (the_callable_result_does_not_convert_to_the_callback_result\(\) \[with Slot = third_party_rules::modhook_slot_check_event_allowed; Signature = bool\(const event&\); Given = <lambda\(const event&\)>|callable_result_converts_to_the_callback_result<third_party_rules::modhook_slot_check_event_allowed, bool \(const event &\), \(lambda)
// DIAGNOSTICS: at most 15 lines, the first error naming check_event_allowed
#include "common.hpp"

#ifdef MODHOOK_VALID_TWIN
third_party_rules registered{.check_event_allowed = [](const event&) { return true; }};
#else
third_party_rules registered{.check_event_allowed = [](const event&) { return std::string("yes"); }};
#endif
