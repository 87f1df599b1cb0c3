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

#include "differential_model.hpp"
#include "sanitizer_defaults.hpp"

#include <modhook/modhook.hpp>

#include <cstdlib>

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

case_state* current = nullptr;
constexpr int argument = 7;

// Every implementation: records the call, then does what the case says.
template <int C>
auto implementation(int module, int x) {
  if (x != argument) std::abort(); // the argument reaches every module unchanged
  current->calls.push_back(module);
  return outcome_of<C>(current->acts(module, C), module);
}

// ---- The static registries: module I of pattern P implements callback C when a constexpr
// hash says so (pattern 0: every callback). ----

template <int C, int I>
auto static_implementation(int x) {
  return implementation<C>(I, x);
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
  run_options options;
  if (!parse_options(argc, argv, options)) return 2;
  const auto [cases, seed, only] = options;
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
