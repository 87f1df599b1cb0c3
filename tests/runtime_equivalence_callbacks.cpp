// Module callbacks for the run-time equivalence test, in their own translation unit: a
// module's registration code instantiates modhook's invokers here, as the twin's functions.
#include "runtime_equivalence.hpp"

#include <modhook/bind.hpp>

#include <string>
#include <utility>

namespace {

int counters[64];

template <int I>
bool check(int x) {
  counters[I] += x;
  return true;
}
template <int I>
bool check_with_context(void* context, int x) {
  static_cast<int*>(context)[I] += x;
  return true;
}

template <std::size_t... I>
void load(rt_registry& hooks, int count, std::index_sequence<I...>) {
  ((static_cast<int>(I) < count
        ? (void)hooks.load("module" + std::to_string(I),
                           [](rt_registry::api& api) { (void)api.register_callbacks(rt_hooks{.check = modhook::bind<&check<I>>()}); })
        : void()),
   ...);
}
template <std::size_t... I>
std::vector<rt_entry> entries(int count, std::index_sequence<I...>) {
  std::vector<rt_entry> made;
  ((static_cast<int>(I) < count ? made.push_back({&check_with_context<I>, counters}) : void()), ...);
  return made;
}

} // namespace

void load_rt_modules(rt_registry& hooks, int count) {
  load(hooks, count, std::make_index_sequence<64>{});
  hooks.seal();
}
std::vector<rt_entry> rt_entries(int count) { return entries(count, std::make_index_sequence<64>{}); }
