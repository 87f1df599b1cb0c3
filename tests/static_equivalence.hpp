#ifndef MODHOOK_TESTS_STATIC_EQUIVALENCE_HPP
#define MODHOOK_TESTS_STATIC_EQUIVALENCE_HPP

#include <modhook/static_registry.hpp>

#include <utility>

struct eq_hooks {
  MODHOOK_CALLBACKS(eq_hooks, (check, modhook::all_must_pass, bool(int)));
};

template <int I>
bool eq_check(int x);

#endif
