#include "bench_callbacks.hpp"
#include "reference_arguments.hpp"

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
  template <class Registry>
  static void load(Registry& hooks, int count) {
    (((static_cast<int>(I) < count)
          ? (void)hooks.load("module" + std::to_string(I),
                             [](typename Registry::api& api) {
                               (void)api.register_callbacks(bench_hooks{
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
void load_modules(bench_live_registry& hooks, int count) { all::load(hooks, count); }
void load_modules(bench_qsbr_registry& hooks, int count) { all::load(hooks, count); }
void load_modules(bench_observed_registry& hooks, int count) {
  all::load(hooks, count);
  hooks.seal();
}
void load_wrapped_modules(bench_registry& hooks, int count) {
  (void)hooks.load("wrapper", [](bench_registry::api& api) {
    (void)api.wrap<&bench_hooks::check>([](auto rest, int) { return rest(); });
    (void)api.wrap<&bench_hooks::notify>([](auto rest, int) { return rest(); });
  });
  load_modules(hooks, count);
}

// The reference-argument benchmark's callbacks (reference_arguments.hpp).
namespace {
int reference_counters[max_reference_modules];
}

template <int I>
bool allow_event(const bench_event& event, const bench_state& state) {
  reference_counters[I] += static_cast<int>(event.body.size() + state.size());
  return true;
}

// Defined here for the static registry's modules in reference_counts.cpp, which call them directly.
template bool allow_event<0>(const bench_event&, const bench_state&);
template bool allow_event<1>(const bench_event&, const bench_state&);
template bool allow_event<2>(const bench_event&, const bench_state&);
template bool allow_event<3>(const bench_event&, const bench_state&);
template bool allow_event<4>(const bench_event&, const bench_state&);
template bool allow_event<5>(const bench_event&, const bench_state&);
template bool allow_event<6>(const bench_event&, const bench_state&);
template bool allow_event<7>(const bench_event&, const bench_state&);
template bool allow_event<8>(const bench_event&, const bench_state&);
template bool allow_event<9>(const bench_event&, const bench_state&);
template bool allow_event<10>(const bench_event&, const bench_state&);
template bool allow_event<11>(const bench_event&, const bench_state&);
template bool allow_event<12>(const bench_event&, const bench_state&);
template bool allow_event<13>(const bench_event&, const bench_state&);
template bool allow_event<14>(const bench_event&, const bench_state&);
template bool allow_event<15>(const bench_event&, const bench_state&);

namespace {
template <int I>
bool allow_with_context(void* context, const bench_event& event, const bench_state& state) {
  static_cast<int*>(context)[I] += static_cast<int>(event.body.size() + state.size());
  return true;
}
template <std::size_t... I>
struct reference_tables {
  static constexpr hand_reference_entry entries[] = {{&allow_with_context<I>, reference_counters}...};
  static void load(reference_registry& hooks, int count) {
    ((static_cast<int>(I) < count
          ? void(hooks
                     .load("m" + std::to_string(I),
                           [](reference_registry::api& api) {
                             (void)api.register_callbacks(
                                 reference_hooks{.check_event_allowed = modhook::bind<&allow_event<I>>()});
                           })
                     .value())
          : void()),
     ...);
    hooks.seal();
  }
};
template <std::size_t... I>
reference_tables<I...> make_reference_tables(std::index_sequence<I...>);
using all_reference_tables = decltype(make_reference_tables(std::make_index_sequence<max_reference_modules>{}));
} // namespace

hand_reference_entry hand_reference_entry_for(int i) { return all_reference_tables::entries[i]; }
void load_reference_modules(reference_registry& hooks, int count) { all_reference_tables::load(hooks, count); }
