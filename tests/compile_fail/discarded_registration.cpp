// EXPECT: error: (ignoring return value of .*module_api<Registry>::register_callbacks\(|ignoring return value of function declared with .nodiscard. attribute)
#include "common.hpp"

// Registration is refused once the registry is sealed: a module that registers late and
// drops the answer implements nothing.
void late(hooks::api& api) {
#ifdef MODHOOK_VALID_TWIN
  if (!api.register_callbacks(third_party_rules{.check_event_allowed = [](const event&) { return true; }})) return;
#else
  api.register_callbacks(third_party_rules{.check_event_allowed = [](const event&) { return true; }});
#endif
}
