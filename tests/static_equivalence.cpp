// A static dispatch and its hand-written twin, for cmake/check_equivalence.cmake to
// count under callgrind and to disassemble (see static_equivalence.hpp for the builds):
//   static_equivalence static|hand N ITERATIONS

#include "static_equivalence.hpp"

#include <cstdio>
#include <cstdlib>
#include <string_view>

template <int I>
inline constexpr eq_hooks eq_module = eq_make_module<I>();

// Modules that do not implement the callback, first and last: a slot left unset, and a
// module of another category. They must compile to nothing (the twin does not know them).
inline constexpr eq_hooks eq_unset{};
struct eq_other_hooks {
  MODHOOK_CALLBACKS(eq_other_hooks, (check, modhook::all_must_pass, bool(int)));
};
inline constexpr eq_other_hooks eq_other{.check = [](int) { return false; }};

template <class>
struct twins;
template <int... I>
struct twins<std::integer_sequence<int, I...>> {
  using hooks = modhook::static_registry<eq_unset, eq_other, eq_module<I>..., eq_other, eq_unset>;
  [[gnu::noinline]] static bool measured_static(int x) { return hooks::template dispatch<&eq_hooks::check>(x).passed(); }
  // The same calls by hand, with modhook's guarantee for callbacks that may throw: a throw
  // denies, it does not escape.
  [[gnu::noinline]] static bool measured_hand(int x) {
#if MODHOOK_EQ_CALLBACKS != MODHOOK_EQ_THROWING_CALLBACKS
    return (eq_check<I>(x) && ...);
#else
    try {
      return (eq_check<I>(x) && ...);
    } catch (...) {
      return false;
    }
#endif
  }
};

template <int N>
using twins_of = twins<std::make_integer_sequence<int, N>>;

int main(int argc, char** argv) {
  if (argc != 4) return 2;
  const std::string_view which = argv[1];
  const int n = std::atoi(argv[2]);
  const long iterations = std::atol(argv[3]);
  bool (*measured)(int) = nullptr;
  switch (n) {
  case 1: measured = which == "static" ? &twins_of<1>::measured_static : &twins_of<1>::measured_hand; break;
  case 4: measured = which == "static" ? &twins_of<4>::measured_static : &twins_of<4>::measured_hand; break;
  case 16: measured = which == "static" ? &twins_of<16>::measured_static : &twins_of<16>::measured_hand; break;
  case 64: measured = which == "static" ? &twins_of<64>::measured_static : &twins_of<64>::measured_hand; break;
  default: return 2;
  }
  int passed = 0;
  for (long i = 0; i < iterations; ++i) passed += measured(1) ? 1 : 0;
  std::printf("%d\n", passed);
  return 0;
}
