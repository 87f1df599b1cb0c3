// A run-time dispatch and its hand-written twin, for cmake/check_equivalence.cmake to count
// under callgrind:
//   runtime_equivalence runtime|hand N ITERATIONS

#include "runtime_equivalence.hpp"

#include <cstdio>
#include <cstdlib>
#include <string_view>

[[gnu::noinline]] bool measured_runtime(const rt_registry& hooks, int x) {
  return hooks.dispatch<&rt_hooks::check>(x).passed();
}
// The loop by hand, with modhook's guarantee for callbacks that may throw: a throw denies.
[[gnu::noinline]] bool measured_hand(const std::vector<rt_entry>& entries, int x) {
  try {
    for (const auto& e : entries)
      if (!e.function(e.context, x)) return false;
    return true;
  } catch (...) {
    return false;
  }
}

int main(int argc, char** argv) {
  if (argc != 4) return 2;
  const std::string_view which = argv[1];
  const int n = std::atoi(argv[2]);
  const long iterations = std::atol(argv[3]);
  if (n < 0 || n > 64) return 2;
  rt_registry hooks;
  load_rt_modules(hooks, n);
  const auto entries = rt_entries(n);
  int passed = 0;
  for (long i = 0; i < iterations; ++i)
    passed += (which == "runtime" ? measured_runtime(hooks, 1) : measured_hand(entries, 1)) ? 1 : 0;
  std::printf("%d\n", passed);
  return 0;
}
