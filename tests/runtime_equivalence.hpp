#ifndef MODHOOK_TESTS_RUNTIME_EQUIVALENCE_HPP
#define MODHOOK_TESTS_RUNTIME_EQUIVALENCE_HPP

#include <modhook/registry.hpp>

#include <vector>

// A run-time registry and its hand-written twin, a vector of {function, context} pairs, over
// the same module callbacks (defined in runtime_equivalence_callbacks.cpp, so that neither
// side can inline them).
struct rt_hooks {
  MODHOOK_CALLBACKS(rt_hooks, (check, modhook::all_must_pass, bool(int)));
};
using rt_registry = modhook::registry<rt_hooks>;

struct rt_entry {
  bool (*function)(void* context, int x);
  void* context;
};

// Loads modules 0 .. count-1 and seals the registry; the twin's entries for the same modules.
void load_rt_modules(rt_registry& hooks, int count);
std::vector<rt_entry> rt_entries(int count);

#endif
