#ifndef MODHOOK_BENCHMARKS_VARIANTS_HPP
#define MODHOOK_BENCHMARKS_VARIANTS_HPP

// Every way of dispatching "call N modules' check (all must pass) / notify (run all)"
// that the benchmarks compare. Each variant is built for N modules and offers
// bool check(int) and void notify(int).

#include "bench_callbacks.hpp"

#include <modhook/static_registry.hpp>

#include <boost/signals2/dummy_mutex.hpp>
#include <boost/signals2/signal.hpp>
#include <boost/signals2/signal_type.hpp>
#if MODHOOK_BENCH_WITH_SIGCPP
#include <sigc++/sigc++.h>
#endif

#include <functional>
#include <memory>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace variants {

// Every variant's check and notify are inlined into the function that measures them, as a
// caller's dispatch would be: the compiler's own inlining choice differs between variants
// (a bigger cold path tips it), and an extra call would be counted against one of them.
#define MEASURED [[gnu::always_inline]] inline

// The physical limit: the calls written out by hand.
template <int N>
struct hand_direct {
  template <int... I>
  static bool check_all(std::integer_sequence<int, I...>, int x) {
    return (::check<I>(x) && ...);
  }
  template <int... I>
  static void notify_all(std::integer_sequence<int, I...>, int x) {
    (::notify<I>(x), ...);
  }
  MEASURED bool check(int x) const { return check_all(std::make_integer_sequence<int, N>{}, x); }
  MEASURED void notify(int x) const { notify_all(std::make_integer_sequence<int, N>{}, x); }
};

// The same calls with modhook's guarantee for callbacks that may throw: a throw denies (check)
// or is swallowed (notify, where modhook counts it and goes on; here it stops the rest).
template <int N>
struct hand_direct_catching {
  MEASURED bool check(int x) const {
    try {
      return hand_direct<N>{}.check(x);
    } catch (...) {
      return false;
    }
  }
  MEASURED void notify(int x) const {
    try {
      hand_direct<N>{}.notify(x);
    } catch (...) {
    }
  }
};

// Hand-written calls to callbacks declared noexcept.
template <int N>
struct hand_direct_noexcept {
  template <int... I>
  static bool check_all(std::integer_sequence<int, I...>, int x) {
    return (::check_nx<I>(x) && ...);
  }
  template <int... I>
  static void notify_all(std::integer_sequence<int, I...>, int x) {
    (::notify_nx<I>(x), ...);
  }
  MEASURED bool check(int x) const { return check_all(std::make_integer_sequence<int, N>{}, x); }
  MEASURED void notify(int x) const { notify_all(std::make_integer_sequence<int, N>{}, x); }
};

template <int I>
inline constexpr bench_hooks static_module{.check = &::check<I>, .notify = &::notify<I>};
template <int I>
inline constexpr bench_hooks static_module_noexcept{.check = &::check_nx<I>, .notify = &::notify_nx<I>};

template <bool Noexcept, class>
struct static_registry_of;
template <bool Noexcept, int... I>
struct static_registry_of<Noexcept, std::integer_sequence<int, I...>> {
  using type = std::conditional_t<Noexcept, modhook::static_registry<static_module_noexcept<I>...>,
                                  modhook::static_registry<static_module<I>...>>;
};

template <int N, bool Noexcept>
struct static_dispatch {
  using hooks = typename static_registry_of<Noexcept, std::make_integer_sequence<int, N>>::type;
  MEASURED bool check(int x) const { return hooks::template dispatch<&bench_hooks::check>(x).passed(); }
  MEASURED void notify(int x) const { (void)hooks::template dispatch<&bench_hooks::notify>(x); }
};
template <int N>
struct modhook_static : static_dispatch<N, false> {};
template <int N>
struct modhook_static_noexcept : static_dispatch<N, true> {};

// The limit for run-time registration: a loop over {function pointer, context pointer}.
struct hand_loop {
  std::vector<hand_entry_check> checks;
  std::vector<hand_entry_notify> notifies;
  explicit hand_loop(int n) {
    for (int i = 0; i < n; ++i) {
      checks.push_back(hand_check_entry(i));
      notifies.push_back(hand_notify_entry(i));
    }
  }
  MEASURED bool check(int x) const {
    for (const auto& e : checks)
      if (!e.function(e.context, x)) return false;
    return true;
  }
  MEASURED void notify(int x) const {
    for (const auto& e : notifies) e.function(e.context, x);
  }
};

// The same loop with modhook's guarantee: a throw denies (check) or is swallowed (notify).
struct hand_loop_catching : hand_loop {
  using hand_loop::hand_loop;
  MEASURED bool check(int x) const {
    try {
      return hand_loop::check(x);
    } catch (...) {
      return false;
    }
  }
  MEASURED void notify(int x) const {
    try {
      hand_loop::notify(x);
    } catch (...) {
    }
  }
};

// Held in place, as hand_loop holds its vectors (with_variant builds every variant in place).
struct modhook_runtime {
  bench_registry hooks;
  explicit modhook_runtime(int n) { load_modules(hooks, n); }
  MEASURED bool check(int x) const { return hooks.dispatch<&bench_hooks::check>(x).passed(); }
  MEASURED void notify(int x) const { (void)hooks.dispatch<&bench_hooks::notify>(x); }
};

// The same modules inside one wrapper that passes the rest's result through (a wrapped
// dispatch: the wrapper's call and its rest's, then the same loop).
struct modhook_wrapped {
  bench_registry hooks;
  explicit modhook_wrapped(int n) { load_wrapped_modules(hooks, n); }
  MEASURED bool check(int x) const { return hooks.dispatch<&bench_hooks::check>(x).passed(); }
  MEASURED void notify(int x) const { (void)hooks.dispatch<&bench_hooks::notify>(x); }
};

// The same modules in a registry observed by modhook::call_stats (a clock read before and
// after each call, counters and a histogram bucket per call).
struct modhook_observed {
  bench_observed_registry hooks;
  explicit modhook_observed(int n) { load_modules(hooks, n); }
  MEASURED bool check(int x) const { return hooks.dispatch<&bench_hooks::check>(x).passed(); }
  MEASURED void notify(int x) const { (void)hooks.dispatch<&bench_hooks::notify>(x); }
};

// The same modules in a live registry: each dispatch in a read section, over the current set.
struct modhook_live {
  bench_live_registry hooks;
  explicit modhook_live(int n) { load_modules(hooks, n); }
  MEASURED bool check(int x) const { return hooks.dispatch<&bench_hooks::check>(x).passed(); }
  MEASURED void notify(int x) const { (void)hooks.dispatch<&bench_hooks::notify>(x); }
};

// The same modules in a qsbr registry: each dispatch is a pointer load more than the sealed
// one's. The measuring thread is registered (with_variant builds the variant on it).
struct modhook_qsbr {
  modhook::qsbr::reader_thread registered;
  bench_qsbr_registry hooks;
  explicit modhook_qsbr(int n) { load_modules(hooks, n); }
  MEASURED bool check(int x) const { return hooks.dispatch<&bench_hooks::check>(x).passed(); }
  MEASURED void notify(int x) const { (void)hooks.dispatch<&bench_hooks::notify>(x); }
};

struct std_function {
  std::vector<std::function<bool(int)>> checks;
  std::vector<std::function<void(int)>> notifies;
  explicit std_function(int n) {
    for (int i = 0; i < n; ++i) {
      checks.emplace_back(check_function(i));
      notifies.emplace_back(notify_function(i));
    }
  }
  MEASURED bool check(int x) const {
    for (const auto& f : checks)
      if (!f(x)) return false;
    return true;
  }
  MEASURED void notify(int x) const {
    for (const auto& f : notifies) f(x);
  }
};

struct virtual_plugins {
  std::vector<std::unique_ptr<plugin>> plugins;
  explicit virtual_plugins(int n) {
    for (int i = 0; i < n; ++i) plugins.emplace_back(make_plugin(i));
  }
  MEASURED bool check(int x) const {
    for (const auto& p : plugins)
      if (!p->check(x)) return false;
    return true;
  }
  MEASURED void notify(int x) const {
    for (const auto& p : plugins) p->notify(x);
  }
};

// Stops at the first false, as all-must-pass does.
struct all_true {
  using result_type = bool;
  template <class It>
  bool operator()(It first, It last) const {
    for (; first != last; ++first)
      if (!*first) return false;
    return true;
  }
};

template <class Mutex>
struct signals2 {
  using check_signal = typename boost::signals2::signal_type<bool(int), boost::signals2::keywords::combiner_type<all_true>,
                                                             boost::signals2::keywords::mutex_type<Mutex>>::type;
  using notify_signal =
      typename boost::signals2::signal_type<void(int), boost::signals2::keywords::mutex_type<Mutex>>::type;
  std::unique_ptr<check_signal> checks = std::make_unique<check_signal>();
  std::unique_ptr<notify_signal> notifies = std::make_unique<notify_signal>();
  explicit signals2(int n) {
    for (int i = 0; i < n; ++i) {
      checks->connect(check_function(i));
      notifies->connect(notify_function(i));
    }
  }
  MEASURED bool check(int x) const { return (*checks)(x); }
  MEASURED void notify(int x) const { (*notifies)(x); }
};
using signals2_mutex = signals2<boost::signals2::mutex>;
using signals2_dummy_mutex = signals2<boost::signals2::dummy_mutex>;

#if MODHOOK_BENCH_WITH_SIGCPP
struct sigc_accumulator {
  using result_type = bool;
  template <class It>
  bool operator()(It first, It last) const {
    for (; first != last; ++first)
      if (!*first) return false;
    return true;
  }
};

struct libsigcpp {
  sigc::signal<bool(int)>::accumulated<sigc_accumulator> checks;
  sigc::signal<void(int)> notifies;
  explicit libsigcpp(int n) {
    for (int i = 0; i < n; ++i) {
      checks.connect(sigc::ptr_fun(check_function(i)));
      notifies.connect(sigc::ptr_fun(notify_function(i)));
    }
  }
  MEASURED bool check(int x) const { return checks.emit(x); }
  MEASURED void notify(int x) const { notifies.emit(x); }
};
#endif

inline constexpr const char* names[] = {"hand_direct", "hand_direct_catching", "modhook_static",
                                       "hand_direct_noexcept", "modhook_static_noexcept", "hand_loop",
                                       "hand_loop_catching", "modhook_runtime", "modhook_live", "modhook_qsbr", "modhook_wrapped",
                                       "modhook_observed", "std_function", "virtual_plugins",
                                       "signals2_mutex", "signals2_dummy_mutex", "libsigcpp"};
inline constexpr int sizes[] = {1, 4, 16, 64};

template <template <int> class V, class F>
bool with_sized(int n, F&& f) {
  switch (n) {
  case 1: f(V<1>{}); return true;
  case 4: f(V<4>{}); return true;
  case 16: f(V<16>{}); return true;
  case 64: f(V<64>{}); return true;
  default: return false;
  }
}

// Builds the variant called `name` for n modules and hands it to f; false if unknown.
template <class F>
bool with_variant(std::string_view name, int n, F&& f) {
  if (name == "hand_direct") return with_sized<hand_direct>(n, f);
  if (name == "hand_direct_catching") return with_sized<hand_direct_catching>(n, f);
  if (name == "modhook_static") return with_sized<modhook_static>(n, f);
  if (name == "hand_direct_noexcept") return with_sized<hand_direct_noexcept>(n, f);
  if (name == "modhook_static_noexcept") return with_sized<modhook_static_noexcept>(n, f);
  if (name == "hand_loop") return f(hand_loop(n)), true;
  if (name == "hand_loop_catching") return f(hand_loop_catching(n)), true;
  if (name == "modhook_runtime") return f(modhook_runtime(n)), true;
  if (name == "modhook_live") return f(modhook_live(n)), true;
  if (name == "modhook_qsbr") return f(modhook_qsbr(n)), true;
  if (name == "modhook_wrapped") return f(modhook_wrapped(n)), true;
  if (name == "modhook_observed") return f(modhook_observed(n)), true;
  if (name == "std_function") return f(std_function(n)), true;
  if (name == "virtual_plugins") return f(virtual_plugins(n)), true;
  if (name == "signals2_mutex") return f(signals2_mutex(n)), true;
  if (name == "signals2_dummy_mutex") return f(signals2_dummy_mutex(n)), true;
#if MODHOOK_BENCH_WITH_SIGCPP
  if (name == "libsigcpp") return f(libsigcpp(n)), true;
#endif
  return false;
}

} // namespace variants

#undef MEASURED

#endif
