// Instructions per dispatch of reference_hooks::check_event_allowed with plain arguments and
// with std::cref, for callgrind (see run.py):
//   valgrind --tool=callgrind --toggle-collect='*measured_*' reference_counts VARIANT N ITERATIONS
// VARIANT: hand_loop, runtime_plain, runtime_cref, static_plain, static_cref.

#include "reference_arguments.hpp"

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string_view>
#include <utility>
#include <vector>

namespace {

// One variable per module: clang 16 takes no reference to an array element as a template argument.
template <int I>
constexpr reference_hooks static_module{.check_event_allowed = &allow_event<I>};
template <class Sequence>
struct static_registry_of;
template <int... I>
struct static_registry_of<std::integer_sequence<int, I...>> {
  using type = modhook::static_registry<static_module<I>...>;
};
template <int N>
using static_hooks = typename static_registry_of<std::make_integer_sequence<int, N>>::type;

[[gnu::noinline]] bool measured_hand_loop(const std::vector<hand_reference_entry>& entries, const bench_event& e,
                                          const bench_state& s) {
  for (const auto& entry : entries)
    if (!entry.function(entry.context, e, s)) return false;
  return true;
}
[[gnu::noinline]] bool measured_runtime_plain(const reference_registry& hooks, const bench_event& e,
                                              const bench_state& s) {
  return hooks.dispatch<&reference_hooks::check_event_allowed>(e, s).passed();
}
[[gnu::noinline]] bool measured_runtime_cref(const reference_registry& hooks, const bench_event& e,
                                             const bench_state& s) {
  return hooks.dispatch<&reference_hooks::check_event_allowed>(std::cref(e), std::cref(s)).passed();
}
template <int N>
[[gnu::noinline]] bool measured_static_plain(const bench_event& e, const bench_state& s) {
  return static_hooks<N>::template dispatch<&reference_hooks::check_event_allowed>(e, s).passed();
}
template <int N>
[[gnu::noinline]] bool measured_static_cref(const bench_event& e, const bench_state& s) {
  return static_hooks<N>::template dispatch<&reference_hooks::check_event_allowed>(std::cref(e), std::cref(s))
      .passed();
}

template <int N>
bool static_variant(std::string_view variant, const bench_event& e, const bench_state& s) {
  return variant == "static_plain" ? measured_static_plain<N>(e, s) : measured_static_cref<N>(e, s);
}

} // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s hand_loop|runtime_plain|runtime_cref|static_plain|static_cref N ITERATIONS\n",
                 argv[0]);
    return 2;
  }
  const std::string_view variant = argv[1];
  const int n = std::atoi(argv[2]);
  const long iterations = std::atol(argv[3]);
  if (n != 1 && n != 4 && n != 16) {
    std::fprintf(stderr, "N must be 1, 4 or 16\n");
    return 2;
  }
  // A state of a few dozen entries: copying it would cost thousands of instructions.
  bench_state state;
  for (int i = 0; i < 32; ++i)
    state[{"m.room.member", "@user" + std::to_string(i) + ":example.com"}] = bench_event{"@a", "m.room.member", "join"};
  const bench_event event{"@alice:example.com", "m.room.message", "hello"};
  reference_registry hooks;
  load_reference_modules(hooks, n);
  std::vector<hand_reference_entry> entries;
  for (int i = 0; i < n; ++i) entries.push_back(hand_reference_entry_for(i));

  int passed = 0;
  for (long i = 0; i < iterations; ++i) {
    bool ok = false;
    if (variant == "hand_loop")
      ok = measured_hand_loop(entries, event, state);
    else if (variant == "runtime_plain")
      ok = measured_runtime_plain(hooks, event, state);
    else if (variant == "runtime_cref")
      ok = measured_runtime_cref(hooks, event, state);
    else if (variant == "static_plain" || variant == "static_cref")
      ok = n == 1 ? static_variant<1>(variant, event, state)
         : n == 4 ? static_variant<4>(variant, event, state)
                  : static_variant<16>(variant, event, state);
    else {
      std::fprintf(stderr, "unknown variant %s\n", argv[1]);
      return 2;
    }
    passed += ok ? 1 : 0;
  }
  std::printf("%d\n", passed);
  return 0;
}
