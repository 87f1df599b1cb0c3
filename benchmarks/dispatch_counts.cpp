// Runs one variant's dispatch many times, for callgrind to count instructions:
//   valgrind --tool=callgrind --toggle-collect='*measured_*' dispatch_counts VARIANT CALLBACK N ITERATIONS
// Everything executed inside measured_check / measured_notify counts: the call into it,
// the dispatch, and the callbacks' bodies, as for a hand-written caller.

#include "variants.hpp"

#include <cstdio>
#include <cstdlib>
#include <string_view>

template <class V>
[[gnu::noinline]] bool measured_check(const V& v, int x) {
  return v.check(x);
}
template <class V>
[[gnu::noinline]] void measured_notify(const V& v, int x) {
  v.notify(x);
}

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s VARIANT check|notify N ITERATIONS\n", argv[0]);
    return 2;
  }
  const std::string_view callback = argv[2];
  const int n = std::atoi(argv[3]);
  const long iterations = std::atol(argv[4]);
  int passed = 0;
  const bool known = variants::with_variant(argv[1], n, [&](const auto& v) {
    for (long i = 0; i < iterations; ++i) {
      if (callback == "check")
        passed += measured_check(v, 1) ? 1 : 0;
      else
        measured_notify(v, 1);
    }
  });
  if (!known) {
    std::fprintf(stderr, "unknown variant or size: %s %d\n", argv[1], n);
    return 2;
  }
  std::printf("%d\n", passed);
  return 0;
}
