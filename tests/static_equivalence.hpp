#ifndef MODHOOK_TESTS_STATIC_EQUIVALENCE_HPP
#define MODHOOK_TESTS_STATIC_EQUIVALENCE_HPP

#include <modhook/bind.hpp>
#include <modhook/static_registry.hpp>

#include <utility>

// Built three times (MODHOOK_EQ_CALLBACKS):
//   noexcept  callbacks in another translation unit, declared noexcept: the static dispatch
//             must be the hand-written calls exactly;
//   throwing  the same, not declared noexcept: the hand-written twin catches as modhook does;
//   inlined   callbacks visible here, as a free function, a stateless lambda and a member
//             bound to an object of static storage duration, not declared noexcept: the
//             compiler must inline all three, see that they cannot throw, and so compile
//             the dispatch to the hand-written code exactly, with no call left.
#define MODHOOK_EQ_NOEXCEPT_CALLBACKS 1
#define MODHOOK_EQ_THROWING_CALLBACKS 2
#define MODHOOK_EQ_INLINED_CALLBACKS 3
#ifndef MODHOOK_EQ_CALLBACKS
#error "build with -DMODHOOK_EQ_CALLBACKS=1 (noexcept), 2 (throwing) or 3 (inlined)"
#endif

struct eq_hooks {
  MODHOOK_CALLBACKS(eq_hooks, (check, modhook::all_must_pass, bool(int)));
};

#if MODHOOK_EQ_CALLBACKS == MODHOOK_EQ_INLINED_CALLBACKS
extern int eq_counters[64];

// What every implementation does; hand-written code calls it directly.
template <int I>
inline bool eq_check(int x) {
  eq_counters[I] += x;
  return eq_counters[I] != 0;
}

template <int I>
bool eq_free_check(int x) {
  return eq_check<I>(x);
}
struct eq_checker {
  template <int I>
  bool check(int x) const {
    return eq_check<I>(x);
  }
};
inline constexpr eq_checker eq_the_checker{};

// Module I's implementation: by turns a free function, a stateless lambda, a bound member.
template <int I>
constexpr eq_hooks eq_make_module() {
  if constexpr (I % 3 == 0)
    return eq_hooks{.check = &eq_free_check<I>};
  else if constexpr (I % 3 == 1)
    return eq_hooks{.check = [](int x) { return eq_check<I>(x); }};
  else
    return eq_hooks{.check = modhook::bind<&eq_checker::check<I>>(eq_the_checker)};
}
#else
template <int I>
bool eq_check(int x) noexcept(MODHOOK_EQ_CALLBACKS == MODHOOK_EQ_NOEXCEPT_CALLBACKS);

template <int I>
constexpr eq_hooks eq_make_module() {
  return eq_hooks{.check = &eq_check<I>};
}
#endif

#endif
