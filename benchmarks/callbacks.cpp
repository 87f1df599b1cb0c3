#include "callbacks.hpp"

#include <modhook/bind.hpp>

#include <string>

bool counter::check(int x) {
  seen += x;
  return true;
}

bool counter_check(void* context, int x) { return static_cast<counter*>(context)->check(x); }

void load_counters(bench_registry& hooks, counter* counters, int count) {
  for (int i = 0; i < count; ++i) {
    counter* c = &counters[i];
    (void)hooks.load("counter" + std::to_string(i), [c](bench_registry::api& api) {
      api.register_callbacks(bench_category{.check = modhook::bind<&counter::check>(c)});
    });
  }
  hooks.seal();
}
