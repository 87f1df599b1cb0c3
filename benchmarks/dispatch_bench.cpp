// Wall time per dispatch (Google Benchmark): every variant, both callbacks, 1 to 64 modules;
// and the throughput of 4 threads dispatching one registry (sealed, live, qsbr).
// benchmarks/run.py reports the median of repetitions next to callgrind's instruction counts.

#include "variants.hpp"

#include <benchmark/benchmark.h>

#include <string>

int main(int argc, char** argv) {
  for (const char* name : variants::names) {
    for (int n : variants::sizes) {
      for (const char* callback : {"check", "notify"}) {
        const std::string id = std::string(callback) + "/" + name + "/" + std::to_string(n);
        benchmark::RegisterBenchmark(id.c_str(), [name, n, callback](benchmark::State& state) {
          variants::with_variant(name, n, [&](auto&& v) {
            if (std::string_view(callback) == "check") {
              for (auto _ : state) benchmark::DoNotOptimize(v.check(1));
            } else {
              for (auto _ : state) {
                v.notify(1);
                benchmark::ClobberMemory();
              }
            }
          });
        });
      }
    }
  }
  // Four threads dispatching one registry at once, the live registry's read side against the
  // sealed registry's: throughput over all threads. Each registry is built once, before.
  static const variants::modhook_runtime sealed_1(1), sealed_4(4);
  static const variants::modhook_live live_1(1), live_4(4);
  static const variants::modhook_qsbr qsbr_1(1), qsbr_4(4);
  const auto threaded = [](const auto& v) {
    return [&v](benchmark::State& state) {
      for (auto _ : state) benchmark::DoNotOptimize(v.check(1));
      state.SetItemsProcessed(state.iterations());
    };
  };
  // A qsbr registry's threads are registered, and announce a quiescent state between
  // "requests": here, every 256 dispatches.
  const auto threaded_qsbr = [](const auto& v) {
    return [&v](benchmark::State& state) {
      const modhook::qsbr::reader_thread registered;
      unsigned k = 0;
      for (auto _ : state) {
        benchmark::DoNotOptimize(v.check(1));
        if (++k % 256 == 0) modhook::qsbr::quiescent();
      }
      state.SetItemsProcessed(state.iterations());
    };
  };
  benchmark::RegisterBenchmark("mt/modhook_runtime/1", threaded(sealed_1))->Threads(4)->UseRealTime();
  benchmark::RegisterBenchmark("mt/modhook_live/1", threaded(live_1))->Threads(4)->UseRealTime();
  benchmark::RegisterBenchmark("mt/modhook_qsbr/1", threaded_qsbr(qsbr_1))->Threads(4)->UseRealTime();
  benchmark::RegisterBenchmark("mt/modhook_runtime/4", threaded(sealed_4))->Threads(4)->UseRealTime();
  benchmark::RegisterBenchmark("mt/modhook_live/4", threaded(live_4))->Threads(4)->UseRealTime();
  benchmark::RegisterBenchmark("mt/modhook_qsbr/4", threaded_qsbr(qsbr_4))->Threads(4)->UseRealTime();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}
