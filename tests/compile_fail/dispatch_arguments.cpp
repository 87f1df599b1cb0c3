// EXPECT: (the_dispatch_arguments_do_not_convert_to_the_callback_parameters\(\) \[with Slot = third_party_rules::modhook_slot_check_event_allowed; Signature = bool\(const event&\)|dispatch_arguments_convert_to_the_callback_parameters<third_party_rules::modhook_slot_check_event_allowed, bool \(const event &\), std::string>)
// DIAGNOSTICS: at most 15 lines, the first error naming check_event_allowed
#include "common.hpp"

bool host(const hooks& h) {
#ifdef MODHOOK_VALID_TWIN
  return h.dispatch<&third_party_rules::check_event_allowed>(event{"hello"}).passed();
#else
  return h.dispatch<&third_party_rules::check_event_allowed>(std::string("hello")).passed();
#endif
}
