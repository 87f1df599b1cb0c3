#ifndef MODHOOK_TESTS_STATIC_EQUIVALENCE_HPP
#define MODHOOK_TESTS_STATIC_EQUIVALENCE_HPP

#include <modhook/static_registry.hpp>

#include <utility>

// Built twice: with callbacks declared noexcept (MODHOOK_EQ_NOEXCEPT=1), where the static
// dispatch must be the hand-written calls exactly, and with callbacks that may throw, where
// the hand-written twin catches as modhook does.
#ifndef MODHOOK_EQ_NOEXCEPT
#error "build with -DMODHOOK_EQ_NOEXCEPT=0 or 1"
#endif

struct eq_hooks {
  MODHOOK_CALLBACKS(eq_hooks, (check, modhook::all_must_pass, bool(int)));
};

template <int I>
bool eq_check(int x) noexcept(MODHOOK_EQ_NOEXCEPT);

#endif
