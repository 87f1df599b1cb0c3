// EXPECT: (field designator [^ ]*check_event_alowed[^ ]* does not refer to any field|has no non-static data member named [^ ]*check_event_alowed)
// DIAGNOSTICS: at most 15 lines, the first error naming check_event_alowed
#include "common.hpp"

#ifdef MODHOOK_VALID_TWIN
third_party_rules registered{.check_event_allowed = [](const event&) { return true; }};
#else
third_party_rules registered{.check_event_alowed = [](const event&) { return true; }};
#endif
