// EXPECT: modhook: third_party_rules::check_event_allowed: the dispatch arguments do not convert to the parameters of bool\(const event&\)
#include "common.hpp"

bool host(const hooks& h) {
#ifdef MODHOOK_VALID_TWIN
  return h.dispatch<&third_party_rules::check_event_allowed>(event{"hello"}).passed();
#else
  return h.dispatch<&third_party_rules::check_event_allowed>(std::string("hello")).passed();
#endif
}
