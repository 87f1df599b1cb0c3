#ifndef MODHOOK_TESTS_ODR_HPP
#define MODHOOK_TESTS_ODR_HPP

#include <modhook/modhook.hpp>

struct odr_hooks {
  MODHOOK_CALLBACKS(odr_hooks, (check, modhook::all_must_pass, bool(int)));
};
using odr_registry = modhook::registry<odr_hooks>;

inline bool odr_check(int x) { return x != 2; }
inline constexpr odr_hooks odr_module{.check = &odr_check};
using odr_static = modhook::static_registry<odr_module>;

bool load_from_other_unit(odr_registry& hooks);
bool static_dispatch_from_other_unit(int x);

#endif
