// EXPECT: (the_dispatch_arguments_do_not_convert_to_the_callback_parameters\(\) \[with Slot = third_party_rules::modhook_slot_check_event_allowed; Signature = bool\(const event&\); Given = \{event, int\}|dispatch_arguments_convert_to_the_callback_parameters<third_party_rules::modhook_slot_check_event_allowed, bool \(const event &\), event, int>)
// DIAGNOSTICS: at most 15 lines, the first error naming check_event_allowed
#include "common.hpp"

// One argument too many: one error naming the callback, not a page about pack lengths.
bool host(const hooks& h) {
#ifdef MODHOOK_VALID_TWIN
  return h.dispatch<&third_party_rules::check_event_allowed>(event{"hello"}).passed();
#else
  return h.dispatch<&third_party_rules::check_event_allowed>(event{"hello"}, 1).passed();
#endif
}
