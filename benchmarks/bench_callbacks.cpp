#include "bench_callbacks.hpp"

#include <modhook/bind.hpp>

#include <string>
#include <utility>

namespace {
int counters[max_modules];
}

template <int I>
bool check(int x) {
  counters[I] += x;
  return true;
}
template <int I>
void notify(int x) {
  counters[I] += x;
}
template <int I>
bool check_nx(int x) noexcept {
  counters[I] += x;
  return true;
}
template <int I>
void notify_nx(int x) noexcept {
  counters[I] += x;
}

namespace {

template <int I>
bool check_with_context(void* context, int x) {
  static_cast<int*>(context)[I] += x;
  return true;
}
template <int I>
void notify_with_context(void* context, int x) {
  static_cast<int*>(context)[I] += x;
}

template <int I>
struct plugin_impl final : plugin {
  bool check(int x) override { return ::check<I>(x); }
  void notify(int x) override { ::notify<I>(x); }
};

template <std::size_t... I>
struct tables {
  static constexpr bool (*checks[])(int) = {&check<I>...};
  static constexpr void (*notifies[])(int) = {&notify<I>...};
  static constexpr bool (*checks_with_context[])(void*, int) = {&check_with_context<I>...};
  static constexpr void (*notifies_with_context[])(void*, int) = {&notify_with_context<I>...};
  static plugin* make(int i) {
    plugin* made = nullptr;
    ((i == static_cast<int>(I) ? (made = new plugin_impl<I>, 0) : 0), ...);
    return made;
  }
  static void load(bench_registry& hooks, int count) {
    (((static_cast<int>(I) < count)
          ? (void)hooks.load("module" + std::to_string(I),
                             [](bench_registry::api& api) {
                               api.register_callbacks(bench_hooks{
                                   .check = modhook::bind<&check<I>>(),
                                   .notify = modhook::bind<&notify<I>>(),
                               });
                             })
          : void()),
     ...);
  }
};

template <std::size_t... I>
tables<I...> tables_for(std::index_sequence<I...>);
using all = decltype(tables_for(std::make_index_sequence<max_modules>{}));

} // namespace

// Explicit instantiations: module I's callbacks exist whether or not this file uses them.
#define MODHOOK_BENCH_1(n)                                                                                           \
  template bool check<n>(int);                                                                                      \
  template void notify<n>(int);                                                                                     \
  template bool check_nx<n>(int) noexcept;                                                                          \
  template void notify_nx<n>(int) noexcept;
#define MODHOOK_BENCH_4(n) MODHOOK_BENCH_1(n) MODHOOK_BENCH_1(n + 1) MODHOOK_BENCH_1(n + 2) MODHOOK_BENCH_1(n + 3)
#define MODHOOK_BENCH_16(n) MODHOOK_BENCH_4(n) MODHOOK_BENCH_4(n + 4) MODHOOK_BENCH_4(n + 8) MODHOOK_BENCH_4(n + 12)
MODHOOK_BENCH_16(0)
MODHOOK_BENCH_16(16)
MODHOOK_BENCH_16(32)
MODHOOK_BENCH_16(48)
static_assert(max_modules == 64, "the instantiations above cover 64 modules");

hand_entry_check hand_check_entry(int i) { return {all::checks_with_context[i], counters}; }
hand_entry_notify hand_notify_entry(int i) { return {all::notifies_with_context[i], counters}; }
bool (*check_function(int i))(int) { return all::checks[i]; }
void (*notify_function(int i))(int) { return all::notifies[i]; }
plugin* make_plugin(int i) { return all::make(i); }

void load_modules(bench_registry& hooks, int count) {
  all::load(hooks, count);
  hooks.seal();
}
