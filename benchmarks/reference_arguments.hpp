#ifndef MODHOOK_BENCHMARKS_REFERENCE_ARGUMENTS_HPP
#define MODHOOK_BENCHMARKS_REFERENCE_ARGUMENTS_HPP

// A Synapse-shaped callback whose arguments are large and passed by const reference, as
// check_event_allowed(event, state) is: a dispatch given std::cref(event), std::cref(state)
// must cost what one given event, state costs (both bind to the caller's objects), where a
// copy of the state map would cost thousands of instructions.

#include <modhook/registry.hpp>
#include <modhook/static_registry.hpp>

#include <map>
#include <string>
#include <utility>

inline constexpr int max_reference_modules = 16;

struct bench_event {
  std::string sender, type, body;
};
using bench_state = std::map<std::pair<std::string, std::string>, bench_event>;

struct reference_hooks {
  MODHOOK_CALLBACKS(reference_hooks,
    (check_event_allowed, modhook::all_must_pass, bool(const bench_event&, const bench_state&)));
};
using reference_registry = modhook::registry<reference_hooks>;

// Module I's implementation, in another translation unit: reads a field, passes.
template <int I>
bool allow_event(const bench_event& event, const bench_state& state);

// The hand-written twin: a vector of {function, context} over the same bodies.
struct hand_reference_entry {
  bool (*function)(void*, const bench_event&, const bench_state&);
  void* context;
};
hand_reference_entry hand_reference_entry_for(int i);

// Loads modules 0 .. count-1 into a run-time registry and seals it.
void load_reference_modules(reference_registry& hooks, int count);

#endif
