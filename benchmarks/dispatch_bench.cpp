// Wall time per dispatch (Google Benchmark): every variant, both callbacks, 1 to 64 modules.
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
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}
