// EXPECT: (no member named [^ ]*check_event_alowed[^ ]* in [^ ]*third_party_rules|check_event_alowed[^ ]* is not a member of [^ ]*third_party_rules)
// DIAGNOSTICS: at most 20 lines, the first error naming check_event_alowed
#include "common.hpp"

bool host(const hooks& h) {
#ifdef MODHOOK_VALID_TWIN
  return h.dispatch<&third_party_rules::check_event_allowed>(event{}).passed();
#else
  return h.dispatch<&third_party_rules::check_event_alowed>(event{}).passed();
#endif
}
