// EXPECT: modhook: static_registry does not dispatch asynchronous callbacks yet: use modhook::registry
// DIAGNOSTICS: at most 15 lines, the first error naming static_registry
#include "common.hpp"

#include <modhook/task.hpp>

// Not built yet: the static registry refuses an asynchronous callback with one error.
struct async_rules {
  MODHOOK_CALLBACKS(async_rules,
    (check, modhook::all_must_pass, modhook::task<bool>(const event&)),
    (sync_check, modhook::all_must_pass, bool(const event&)));
};
constexpr async_rules module_a{.check = [](const event&) { return true; }, .sync_check = [](const event&) { return true; }};
using hooks_a = modhook::static_registry<module_a>;

bool host(const event& e) {
#ifdef MODHOOK_VALID_TWIN
  return hooks_a::dispatch<&async_rules::sync_check>(e).passed();
#else
  (void)hooks_a::dispatch<&async_rules::check>(e);
  return true;
#endif
}
