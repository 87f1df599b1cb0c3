// EXPECT: modhook: third_party_rules::check_event_allowed: the callable cannot be called with the arguments of bool\(const event&\)
#include "common.hpp"

#ifdef MODHOOK_VALID_TWIN
third_party_rules registered{.check_event_allowed = [](const event&) { return true; }};
#else
third_party_rules registered{.check_event_allowed = [](int) { return true; }};
#endif
