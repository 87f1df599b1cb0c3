// EXPECT: error: (ignoring returned value of type .*modhook::v0_[0-9]+_[a-z]+::verdict<bool, void>.*nodiscard|ignoring return value of (type 'verdict<bool, void>'|function) declared with 'nodiscard' attribute)
#include "common.hpp"

// An all_must_pass verdict is asked for to be acted on: dropping it allows what it denied.
// (A run_all completion may be dropped: the twin does.)
void host(const hooks& h, const event& e) {
  h.dispatch<&third_party_rules::on_new_event>(e);
#ifdef MODHOOK_VALID_TWIN
  if (!h.dispatch<&third_party_rules::check_event_allowed>(e)) return;
#else
  h.dispatch<&third_party_rules::check_event_allowed>(e);
#endif
}
