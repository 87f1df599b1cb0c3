// EXPECT: modhook: third_party_rules::check_event_allowed: the callable's result does not convert to the result of bool\(const event&\)
#include "common.hpp"

#ifdef MODHOOK_VALID_TWIN
third_party_rules registered{.check_event_allowed = [](const event&) { return true; }};
#else
third_party_rules registered{.check_event_allowed = [](const event&) { return std::string("yes"); }};
#endif
