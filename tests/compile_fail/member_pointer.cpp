// EXPECT: (a_pointer_to_member_needs_an_object_use_modhook_bind\(\) \[with Slot = third_party_rules::modhook_slot_check_event_allowed|callable_is_not_a_pointer_to_member<third_party_rules::modhook_slot_check_event_allowed.*use modhook::bind<&T::f>\(object\))
// DIAGNOSTICS: at most 15 lines, the first error naming check_event_allowed
#include "common.hpp"

struct censor {
  bool check(const event&) const { return true; }
};
inline constexpr censor the_censor{};

#ifdef MODHOOK_VALID_TWIN
inline constexpr third_party_rules registered{.check_event_allowed = modhook::bind<&censor::check>(the_censor)};
#else
inline constexpr third_party_rules registered{.check_event_allowed = &censor::check};
#endif
