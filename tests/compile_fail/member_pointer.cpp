// EXPECT: modhook: third_party_rules::check_event_allowed: a pointer to member needs an object: use modhook::bind<&T::f>\(object\)
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
