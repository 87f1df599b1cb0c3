// Differential testing of every policy against a reference model.
//
// Each case is a random configuration: 0 to 32 modules, each implementing a random subset of
// the callbacks below, each implementation with a random outcome (pass, a rejection of one of
// two kinds, an engaged or empty optional, an error value, a std or a non-std exception).
// Every callback is dispatched, and everything observable must equal what the model (a plain
// loop per policy, written from the policy table in DESIGN.md) says: the result, which module
// decided, which modules were called in what order, the failures the result keeps, and every
// failure the handler was given. Cases run against the run-time registry and against static
// registries (of fixed sizes and subsets, with random outcomes).
//
//   modhook_differential_tests [--cases N] [--seed S] [--case K]
//
// Defaults: 100000 cases per registry kind, seed 1. Case K of seed S is the same whatever N,
// so a failure (which prints both) replays alone with --seed S --case K.

#include <modhook/modhook.hpp>

#include "sanitizer_defaults.hpp"

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

// A result with two kinds of rejection: 0 passes, 1 and 2 do not.
struct verdict_value {
  int code;
};
template <>
struct modhook::pass_traits<verdict_value> {
  static constexpr bool passes(verdict_value v) noexcept { return v.code == 0; }
};

// Larger than std::optional<int>: libc++ 16 keeps expected's has-value flag in the tail
// padding of its value, and constructing an optional<int> there overwrites it (LLVM issue
// 68552, fixed in libc++ 18), so expected<optional<int>, E> with a small E is broken there.
struct diff_error {
  int module;
  int unused[2];
};
struct non_std_exception {
  int module;
};

struct diff_hooks {
  MODHOOK_CALLBACKS(diff_hooks,
    (deny, modhook::all_must_pass, verdict_value(int)),
    (open, modhook::all_must_pass_fail_open, verdict_value(int)),
    (deny_expected, modhook::all_must_pass, modhook::expected<verdict_value, diff_error>(int)),
    (lookup, modhook::first_result, std::optional<int>(int)),
    (lookup_expected, modhook::first_result, modhook::expected<std::optional<int>, diff_error>(int)),
    (notify, modhook::run_all, void(int)),
    (notify_expected, modhook::run_all, modhook::expected<void, diff_error>(int)),
    (create, modhook::first_exception, void(int)),
    (create_expected, modhook::first_exception, modhook::expected<void, diff_error>(int)));
};

namespace {

constexpr int max_modules = 32;
constexpr int callback_count = 9;
using all_callbacks = std::make_integer_sequence<int, callback_count>;
enum callback_id { deny, open, deny_expected, lookup, lookup_expected, notify, notify_expected, create, create_expected };
constexpr bool returns_verdict(int c) { return c <= deny_expected; }
constexpr bool returns_optional(int c) { return c == lookup || c == lookup_expected; }
constexpr bool returns_expected(int c) {
  return c == deny_expected || c == lookup_expected || c == notify_expected || c == create_expected;
}

template <int C>
constexpr auto member_of() {
  if constexpr (C == deny) return &diff_hooks::deny;
  else if constexpr (C == open) return &diff_hooks::open;
  else if constexpr (C == deny_expected) return &diff_hooks::deny_expected;
  else if constexpr (C == lookup) return &diff_hooks::lookup;
  else if constexpr (C == lookup_expected) return &diff_hooks::lookup_expected;
  else if constexpr (C == notify) return &diff_hooks::notify;
  else if constexpr (C == notify_expected) return &diff_hooks::notify_expected;
  else if constexpr (C == create) return &diff_hooks::create;
  else return &diff_hooks::create_expected;
}

// What one implementation does when called.
enum class act : std::uint8_t { pass, reject_1, reject_2, answer, error, throw_std, throw_other };
const char* name_of(act a) {
  constexpr const char* names[] = {"pass", "reject 1", "reject 2", "answer", "error", "throw std", "throw other"};
  return names[static_cast<int>(a)];
}

// A table by module and callback, indexed with the ints the test counts in.
template <class T>
struct by_module_and_callback {
  std::array<T, static_cast<std::size_t>(max_modules * callback_count)> cells{};
  T& operator()(int m, int c) { return cells[static_cast<std::size_t>(m * callback_count + c)]; }
  const T& operator()(int m, int c) const { return cells[static_cast<std::size_t>(m * callback_count + c)]; }
};

struct case_state {
  int modules = 0;
  by_module_and_callback<bool> implemented;
  by_module_and_callback<act> acts;
  std::vector<int> calls; // module indices, in call order, for the dispatch under way
};
case_state* current = nullptr;
constexpr int argument = 7;

[[noreturn]] void throw_as(act a, int module) {
  if (a == act::throw_std) throw std::runtime_error("module " + std::to_string(module));
  throw non_std_exception{module};
}

// Every implementation: records the call, then does what the case says.
template <int C>
auto implementation(int module, int x) {
  if (x != argument) std::abort(); // the argument reaches every module unchanged
  current->calls.push_back(module);
  const act a = current->acts(module, C);
  if (a == act::throw_std || a == act::throw_other) throw_as(a, module);
  const verdict_value verdict{a == act::reject_1 ? 1 : a == act::reject_2 ? 2 : 0};
  const std::optional<int> answer = a == act::answer ? std::optional<int>(100 + module) : std::nullopt;
  if constexpr (C == deny || C == open) {
    return verdict;
  } else if constexpr (C == deny_expected) {
    using result = modhook::expected<verdict_value, diff_error>;
    return a == act::error ? result(modhook::unexpected(diff_error{module, {}})) : result(verdict);
  } else if constexpr (C == lookup) {
    return answer;
  } else if constexpr (C == lookup_expected) {
    using result = modhook::expected<std::optional<int>, diff_error>;
    return a == act::error ? result(modhook::unexpected(diff_error{module, {}})) : result(answer);
  } else if constexpr (C == notify || C == create) {
    return;
  } else {
    using result = modhook::expected<void, diff_error>;
    return a == act::error ? result(modhook::unexpected(diff_error{module, {}})) : result();
  }
}

// ---- The static registries: module I of pattern P implements callback C when a constexpr
// hash says so (pattern 0: every callback). ----

template <int C, int I>
auto static_implementation(int x) {
  return implementation<C>(I, x);
}

constexpr bool static_implements(int pattern, int module, int c) {
  if (pattern == 0) return true;
  std::uint64_t h = static_cast<std::uint64_t>(pattern * 10007 + module * 101 + c + 1) * 0x9E3779B97F4A7C15u;
  h ^= h >> 29;
  h *= 0xBF58476D1CE4E5B9u;
  h ^= h >> 32;
  return h % 4 != 0;
}

template <int P, int I, int... C>
constexpr diff_hooks make_static_module(std::integer_sequence<int, C...>) {
  diff_hooks h;
  ((static_implements(P, I, C) ? void(h.*member_of<C>() = &static_implementation<C, I>) : void()), ...);
  return h;
}
template <int P, int I>
constexpr diff_hooks static_module = make_static_module<P, I>(all_callbacks{});

template <int P, class Modules>
struct static_hooks_of;
template <int P, int... I>
struct static_hooks_of<P, std::integer_sequence<int, I...>> {
  using type = modhook::static_registry<static_module<P, I>...>;
};

// ---- The model: a plain loop per policy, from the policy table. ----

enum class policy_kind { fail_closed, fail_open, first_result, first_exception, run_all };
constexpr policy_kind policy_of(int c) {
  switch (c) {
  case deny:
  case deny_expected: return policy_kind::fail_closed;
  case open: return policy_kind::fail_open;
  case lookup:
  case lookup_expected: return policy_kind::first_result;
  case create:
  case create_expected: return policy_kind::first_exception;
  default: return policy_kind::run_all;
  }
}

// What a dispatch shows, in one shape for every result type.
struct observed {
  enum class kind { passed, rejected, failed, answered, empty, ok, not_ok } what{};
  int value = 0;         // the rejection code or the answer
  int decided_by = -1;   // a module index; -1 for none
  bool names_ok = true;  // decided_by and every failure name the module as the registry does
  std::size_t failure_count = 0;
  int first_failure = -1;
  act first_failure_act = act::pass;
  std::vector<int> calls;
  std::vector<int> reported; // the modules the failure handler was given, in order
  friend bool operator==(const observed&, const observed&) = default;
};

const char* name_of(observed::kind k) {
  constexpr const char* names[] = {"passed", "rejected", "failed", "answered", "empty", "ok", "not ok"};
  return names[static_cast<int>(k)];
}

constexpr bool is_failure(act a, int c) {
  return a == act::throw_std || a == act::throw_other || (a == act::error && returns_expected(c));
}

observed model(const case_state& s, int c) {
  observed o;
  const policy_kind policy = policy_of(c);
  o.what = policy == policy_kind::first_result ? observed::kind::empty
         : returns_verdict(c)                  ? observed::kind::passed
                                               : observed::kind::ok;
  for (int m = 0; m < s.modules; ++m) {
    if (!s.implemented(m, c)) continue;
    o.calls.push_back(m);
    const act a = s.acts(m, c);
    if (is_failure(a, c)) {
      if (o.failure_count++ == 0) {
        o.first_failure = m;
        o.first_failure_act = a;
      }
      o.reported.push_back(m);
      if (policy == policy_kind::fail_open || policy == policy_kind::run_all) continue;
      o.what = policy == policy_kind::first_exception ? observed::kind::not_ok : observed::kind::failed;
      o.decided_by = m;
      return o;
    }
    if (returns_verdict(c) && (a == act::reject_1 || a == act::reject_2)) {
      o.what = observed::kind::rejected;
      o.value = a == act::reject_1 ? 1 : 2;
      o.decided_by = m;
      return o;
    }
    if (returns_optional(c) && a == act::answer) {
      o.what = observed::kind::answered;
      o.value = 100 + m;
      o.decided_by = m;
      return o;
    }
  }
  if (o.failure_count != 0) { // run_all; fail-open verdicts stay passed
    if (policy == policy_kind::run_all) o.what = observed::kind::not_ok;
    if (policy == policy_kind::run_all) o.decided_by = o.first_failure;
  }
  return o;
}

// ---- What a dispatch result says. ----

// Which module a failure names and what it did: the exception (type and message) or the
// error value must be the one that module produced, else the module is reported as -2.
template <class E>
std::pair<int, act> identify(const modhook::failure<E>& f) {
  const int m = static_cast<int>(f.module.index);
  if constexpr (!std::is_void_v<E>) {
    if (f.error) return {f.error->module == m && !f.threw() ? m : -2, act::error};
  }
  try {
    f.rethrow_if_thrown();
  } catch (const std::runtime_error& e) {
    return {std::string_view(e.what()) == "module " + std::to_string(m) ? m : -2, act::throw_std};
  } catch (const non_std_exception& e) {
    return {e.module == m ? m : -2, act::throw_other};
  } catch (...) {
    return {-3, act::pass};
  }
  return {-4, act::pass}; // neither an exception nor an error value
}

std::string expected_name(int m, bool named) { return named ? "m" + std::to_string(m) : std::string(); }

template <class R>
observed observe_common(const R& r, bool named) {
  observed o;
  if (r.decided_by()) {
    o.decided_by = static_cast<int>(r.decided_by()->index);
    o.names_ok = r.decided_by()->name == expected_name(o.decided_by, named);
  }
  o.failure_count = r.failure_count();
  if (const auto& first = r.first_failure()) {
    std::tie(o.first_failure, o.first_failure_act) = identify(*first);
    if (first->module.name != expected_name(static_cast<int>(first->module.index), named)) o.names_ok = false;
  }
  return o;
}

template <class T, class E>
observed observe(const modhook::verdict<T, E>& v, bool named) {
  observed o = observe_common(v, named);
  o.what = v.passed() ? observed::kind::passed : v.rejected() ? observed::kind::rejected : observed::kind::failed;
  if (v.rejected()) o.value = v.rejection().code;
  return o;
}
template <class T, class E>
observed observe(const modhook::answer<T, E>& a, bool named) {
  observed o = observe_common(a, named);
  o.what = a.has_value() ? observed::kind::answered : a.failed() ? observed::kind::failed : observed::kind::empty;
  if (a.has_value()) o.value = *a;
  return o;
}
template <class E>
observed observe(const modhook::completion<E>& c, bool named) {
  observed o = observe_common(c, named);
  o.what = c.ok() ? observed::kind::ok : observed::kind::not_ok;
  return o;
}

// The failure handler of every registry: records the module, checks the callback's name.
std::vector<int> reported;
std::string_view dispatching; // the callback under way
bool handler_saw_wrong_callback = false;
void report(const modhook::failure<>& f) {
  if (f.callback.category != "diff_hooks" || f.callback.name != dispatching) handler_saw_wrong_callback = true;
  reported.push_back(static_cast<int>(f.module.index));
}

// Dispatches callback C through `dispatch(member)` and observes everything.
template <int C, class Dispatch>
observed run_one(case_state& s, bool named, Dispatch&& dispatch) {
  s.calls.clear();
  reported.clear();
  dispatching = modhook::callback_name<member_of<C>()>.name;
  observed o = observe(dispatch(std::integral_constant<decltype(member_of<C>()), member_of<C>()>{}), named);
  o.calls = s.calls;
  o.reported = reported;
  return o;
}

// ---- Cases. ----

act random_act(std::mt19937_64& random, int c) {
  const auto roll = static_cast<int>(random() % 100);
  if (roll < 8) return act::throw_std;
  if (roll < 16) return act::throw_other;
  if (roll < 24 && returns_expected(c)) return act::error;
  if (roll < 32 && returns_verdict(c)) return act::reject_1;
  if (roll < 40 && returns_verdict(c)) return act::reject_2;
  if (roll < 40 && returns_optional(c)) return act::answer;
  return act::pass;
}

// The case's outcomes; `implements(m, c)` says who implements what.
template <class Implements>
case_state random_case(std::mt19937_64& random, int modules, Implements&& implements) {
  case_state s;
  s.modules = modules;
  for (int m = 0; m < modules; ++m)
    for (int c = 0; c < callback_count; ++c) {
      s.implemented(m, c) = implements(m, c);
      s.acts(m, c) = random_act(random, c);
    }
  return s;
}

std::mt19937_64 random_for(std::uint64_t seed, std::uint64_t k, std::uint64_t kind) {
  std::seed_seq sequence{seed, k, kind};
  return std::mt19937_64(sequence);
}

void describe(const case_state& s, int c) {
  std::printf("  %d modules; callback %d (policy %d):\n", s.modules, c, static_cast<int>(policy_of(c)));
  for (int m = 0; m < s.modules; ++m)
    std::printf("    module %d: %s\n", m, s.implemented(m, c) ? name_of(s.acts(m, c)) : "(not implemented)");
}
void print(const char* label, const observed& o) {
  std::printf("  %s: %s value %d decided_by %d names_ok %d failures %zu first %d (%s) calls", label, name_of(o.what),
              o.value, o.decided_by, o.names_ok, o.failure_count, o.first_failure, name_of(o.first_failure_act));
  for (int m : o.calls) std::printf(" %d", m);
  std::printf(" reported");
  for (int m : o.reported) std::printf(" %d", m);
  std::printf("\n");
}

// Dispatches every callback of a case through `dispatch` and compares with the model.
template <class Dispatch, int... C>
bool check_case(case_state& s, bool named, const char* registry, std::uint64_t seed, std::uint64_t k,
                Dispatch&& dispatch, std::integer_sequence<int, C...>) {
  bool ok = true;
  auto check = [&](int c, const observed& got) {
    observed want = model(s, c);
    want.names_ok = true;
    if (got == want && !handler_saw_wrong_callback) return;
    ok = false;
    std::printf("MISMATCH: %s registry, seed %llu case %llu (replay: --seed %llu --case %llu)\n", registry,
                static_cast<unsigned long long>(seed), static_cast<unsigned long long>(k),
                static_cast<unsigned long long>(seed), static_cast<unsigned long long>(k));
    describe(s, c);
    print("model", want);
    print("got  ", got);
    if (handler_saw_wrong_callback) std::printf("  the failure handler was given the wrong callback's name\n");
  };
  (check(C, run_one<C>(s, named, dispatch)), ...);
  return ok;
}

bool run_time_case(std::uint64_t seed, std::uint64_t k) {
  auto random = random_for(seed, k, 0);
  const int modules = static_cast<int>(random() % (max_modules + 1));
  case_state s = random_case(random, modules, [&](int, int) { return random() % 4 != 0; });
  current = &s;
  modhook::registry<diff_hooks> hooks;
  if (!hooks.on_failure(&report)) return false;
  for (int m = 0; m < modules; ++m) {
    const auto loaded = hooks.load("m" + std::to_string(m), [&](auto& api) {
      diff_hooks callbacks;
      [&]<int... C>(std::integer_sequence<int, C...>) {
        ((s.implemented(m, C) ? void(callbacks.*member_of<C>() = [m](int x) { return implementation<C>(m, x); })
                              : void()),
         ...);
      }(all_callbacks{});
      (void)api.register_callbacks(std::move(callbacks));
    });
    if (!loaded) return false;
  }
  hooks.seal();
  return check_case(
      s, true, "run-time", seed, k,
      [&](auto member) { return hooks.template dispatch<decltype(member)::value>(argument); }, all_callbacks{});
}

// The static registries a case may use: sizes from 0 to 32, every module implementing
// everything or a hashed subset. (Each is a compile-time instantiation; the run-time registry
// covers every size from 0 to 32.)
template <int P, int N>
bool static_case_with(std::mt19937_64& random, std::uint64_t seed, std::uint64_t k) {
  using hooks = typename static_hooks_of<P, std::make_integer_sequence<int, N>>::type;
  case_state s = random_case(random, N, [](int m, int c) { return static_implements(P, m, c); });
  current = &s;
  return check_case(
      s, false, "static", seed, k,
      [](auto member) { return hooks::template dispatch<decltype(member)::value>(&report, argument); },
      all_callbacks{});
}

template <int P, int... N>
constexpr auto static_cases_for(std::integer_sequence<int, N...>) {
  return std::array{&static_case_with<P, N>...};
}
using static_sizes = std::integer_sequence<int, 0, 1, 2, 3, 8, 32>;
constexpr std::array static_cases = {static_cases_for<0>(static_sizes{}), static_cases_for<1>(static_sizes{})};

bool static_case(std::uint64_t seed, std::uint64_t k) {
  auto random = random_for(seed, k, 1);
  const auto& pattern = static_cases[random() % std::size(static_cases)];
  return pattern[random() % pattern.size()](random, seed, k);
}

} // namespace

int main(int argc, char** argv) {
  std::uint64_t cases = 100000, seed = 1;
  std::optional<std::uint64_t> only;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    const std::uint64_t value = std::strtoull(argv[i + 1], nullptr, 10);
    if (flag == "--cases")
      cases = value;
    else if (flag == "--seed")
      seed = value;
    else if (flag == "--case")
      only = value;
    else {
      std::fprintf(stderr, "usage: %s [--cases N] [--seed S] [--case K]\n", argv[0]);
      return 2;
    }
  }
  std::uint64_t failures = 0;
  const std::uint64_t first = only.value_or(0), last = only ? *only + 1 : cases;
  for (std::uint64_t k = first; k < last && failures < 5; ++k) {
    if (!run_time_case(seed, k)) ++failures;
    if (!static_case(seed, k)) ++failures;
  }
  if (failures != 0) {
    std::printf("%llu mismatching cases (seed %llu)\n", static_cast<unsigned long long>(failures),
                static_cast<unsigned long long>(seed));
    return 1;
  }
  std::printf("%llu cases per registry kind, %d callbacks each (every policy), seed %llu: all equal the model\n",
              static_cast<unsigned long long>(last - first), callback_count, static_cast<unsigned long long>(seed));
  return 0;
}
