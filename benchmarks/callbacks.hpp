#ifndef MODHOOK_BENCHMARKS_CALLBACKS_HPP
#define MODHOOK_BENCHMARKS_CALLBACKS_HPP

#include <modhook/registry.hpp>

struct bench_category {
  MODHOOK_CALLBACKS(bench_category, (check, modhook::all_must_pass, bool(int)));
};
using bench_registry = modhook::registry<bench_category>;

// A module as a hand-written host would see it: a context and a function taking it.
struct counter {
  int seen = 0;
  bool check(int x);
};
bool counter_check(void* context, int x);

// Loads `count` counter modules into `hooks` (registration happens here, beside the
// callbacks, as a module's own code would do it).
void load_counters(bench_registry& hooks, counter* counters, int count);

#endif
