// Run-time registry dispatch against the hand-written limit: a loop over a vector of
// {function pointer, context pointer}. bool(int), all must pass, every callback passes.

#include "callbacks.hpp"

#include <benchmark/benchmark.h>

#include <vector>

namespace {

struct hand_entry {
  bool (*function)(void*, int);
  void* context;
};

bool hand_loop(const std::vector<hand_entry>& entries, int x) {
  for (const hand_entry& e : entries)
    if (!e.function(e.context, x)) return false;
  return true;
}

void hand_written(benchmark::State& state) {
  const auto count = static_cast<int>(state.range(0));
  std::vector<counter> counters(static_cast<std::size_t>(count));
  std::vector<hand_entry> entries;
  for (counter& c : counters) entries.push_back({&counter_check, &c});
  for (auto _ : state) benchmark::DoNotOptimize(hand_loop(entries, 1));
}

void modhook_runtime(benchmark::State& state) {
  const auto count = static_cast<int>(state.range(0));
  std::vector<counter> counters(static_cast<std::size_t>(count));
  bench_registry hooks;
  load_counters(hooks, counters.data(), count);
  for (auto _ : state) benchmark::DoNotOptimize(hooks.dispatch<&bench_category::check>(1).passed());
}

} // namespace

BENCHMARK(hand_written)->Arg(1)->Arg(4)->Arg(16)->Arg(64);
BENCHMARK(modhook_runtime)->Arg(1)->Arg(4)->Arg(16)->Arg(64);
BENCHMARK_MAIN();
