#ifndef MODHOOK_BENCHMARKS_BENCH_CALLBACKS_HPP
#define MODHOOK_BENCHMARKS_BENCH_CALLBACKS_HPP

// The callbacks every variant calls. They are defined in bench_callbacks.cpp, another
// translation unit, so no variant can inline them except by design (the modhook run-time
// registry's invokers are instantiated there, as a module's own registration code would be).

#include <modhook/call_stats.hpp>
#include <modhook/live_registry.hpp>
#include <modhook/registry.hpp>

inline constexpr int max_modules = 64;

struct bench_hooks {
  MODHOOK_CALLBACKS(bench_hooks,
    (check, modhook::all_must_pass, bool(int)),
    (notify, modhook::run_all, void(int)));
};
using bench_registry = modhook::registry<bench_hooks>;
using bench_live_registry = modhook::live_registry<bench_hooks>;
using bench_qsbr_registry = modhook::qsbr_registry<bench_hooks>;
// The sealed registry with the shipped observer, which counts and times every call.
using bench_observed_registry = modhook::registry<modhook::observed_by<modhook::call_stats>, bench_hooks>;

// Module I's callbacks: a few instructions each, and every check passes.
template <int I> bool check(int x);
template <int I> void notify(int x);
// The same, declared noexcept: the compiler then knows no failure can come from a call.
template <int I> bool check_nx(int x) noexcept;
template <int I> void notify_nx(int x) noexcept;

// The same bodies behind the {function pointer, context pointer} shape a hand-written
// run-time registry would use.
struct hand_entry_check {
  bool (*function)(void*, int);
  void* context;
};
struct hand_entry_notify {
  void (*function)(void*, int);
  void* context;
};
hand_entry_check hand_check_entry(int i);
hand_entry_notify hand_notify_entry(int i);

// Plain function pointers, for std::function and the signal libraries.
bool (*check_function(int i))(int);
void (*notify_function(int i))(int);

// A virtual-interface plugin, as a classic plugin host would have.
struct plugin {
  virtual ~plugin() = default;
  virtual bool check(int x) = 0;
  virtual void notify(int x) = 0;
};
plugin* make_plugin(int i);

// Loads modules 0 .. count-1 into a modhook run-time registry and seals it.
void load_modules(bench_registry& hooks, int count);
void load_modules(bench_live_registry& hooks, int count);
void load_modules(bench_qsbr_registry& hooks, int count);
void load_modules(bench_observed_registry& hooks, int count);
// The modules, after one that wraps both callbacks, passing the rest's result through.
void load_wrapped_modules(bench_registry& hooks, int count);

#endif
