// EXPECT: (the_dispatch_arguments_do_not_convert_to_the_callback_parameters\(\) \[with Slot = third_party_rules::modhook_slot_check_event_allowed; Signature = bool\(const event&\); Given = \{\}|dispatch_arguments_convert_to_the_callback_parameters<third_party_rules::modhook_slot_check_event_allowed, bool \(const event &\)>)
// DIAGNOSTICS: at most 15 lines, the first error naming check_event_allowed
#include <modhook/modhook.hpp>

struct event {
  int id;
};
struct third_party_rules {
  MODHOOK_CALLBACKS(third_party_rules, (check_event_allowed, modhook::all_must_pass, bool(const event&)));
};

bool allow(const event&) { return true; }
constexpr third_party_rules allower{.check_event_allowed = &allow};
using static_hooks = modhook::static_registry<allower>;

// No argument at all, in the static registry.
bool host() {
#ifdef MODHOOK_VALID_TWIN
  return static_hooks::dispatch<&third_party_rules::check_event_allowed>(event{1}).passed();
#else
  return static_hooks::dispatch<&third_party_rules::check_event_allowed>().passed();
#endif
}
