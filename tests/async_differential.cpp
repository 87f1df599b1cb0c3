// Differential testing of asynchronous dispatch against the same reference model as the
// synchronous one (differential_model.hpp), on both registries.
//
// The cases are the synchronous test's: 0 to 32 modules, random subsets, random outcomes. Here
// each implementation is also, at random, a plain callable (called inline) or a coroutine that
// completes at once, or suspends once or twice on a test executor before it acts (so a throw
// comes before the first suspension or after a resumption). Eight cases are dispatched at
// once, every callback of each, and the executor resumes whatever is suspended in random
// order, so 72 dispatches are in flight together. Each result, the modules called and in what
// order, and the failures reported must equal the model's; no module may start while another
// of the same dispatch is still running.
//
//   modhook_async_differential_tests [--cases N] [--seed S] [--case K]
//
// Defaults: 100000 cases per registry kind, seed 1. With --case K, the batch holding case K
// replays.

#include <modhook/modhook.hpp>
#include <modhook/task.hpp>

#include "differential_model.hpp"
#include "sanitizer_defaults.hpp"
#include "test_executor.hpp"

#include <coroutine>
#include <cstdlib>
#include <memory>

template <class T>
using task = modhook::task<T>;

struct async_diff_hooks {
  MODHOOK_CALLBACKS(async_diff_hooks,
    (deny, modhook::all_must_pass, task<verdict_value>(int)),
    (open, modhook::all_must_pass_fail_open, task<verdict_value>(int)),
    (deny_expected, modhook::all_must_pass, task<modhook::expected<verdict_value, diff_error>>(int)),
    (lookup, modhook::first_result, task<std::optional<int>>(int)),
    (lookup_expected, modhook::first_result, task<modhook::expected<std::optional<int>, diff_error>>(int)),
    (notify, modhook::run_all, task<void>(int)),
    (notify_expected, modhook::run_all, task<modhook::expected<void, diff_error>>(int)),
    (create, modhook::first_exception, task<void>(int)),
    (create_expected, modhook::first_exception, task<modhook::expected<void, diff_error>>(int)));
};

namespace {

template <int C>
constexpr auto member_of() {
  if constexpr (C == deny) return &async_diff_hooks::deny;
  else if constexpr (C == open) return &async_diff_hooks::open;
  else if constexpr (C == deny_expected) return &async_diff_hooks::deny_expected;
  else if constexpr (C == lookup) return &async_diff_hooks::lookup;
  else if constexpr (C == lookup_expected) return &async_diff_hooks::lookup_expected;
  else if constexpr (C == notify) return &async_diff_hooks::notify;
  else if constexpr (C == notify_expected) return &async_diff_hooks::notify_expected;
  else if constexpr (C == create) return &async_diff_hooks::create;
  else return &async_diff_hooks::create_expected;
}
template <int C>
using value_of = decltype(outcome_of<C>(act::pass, 0));

int callback_index(std::string_view name) {
  int found = -1;
  [&]<int... C>(std::integer_sequence<int, C...>) {
    ((modhook::callback_name<member_of<C>()>.name == name ? void(found = C) : void()), ...);
  }(all_callbacks{});
  return found;
}

// How many times a coroutine implementation suspends before it acts.
enum class suspends : std::uint8_t { never, once, twice };

// One case in flight: its state, and what its dispatches (one per callback) have shown.
struct in_flight {
  case_state state;
  by_module_and_callback<suspends> suspensions;
  by_module_and_callback<bool> coroutine; // run-time registry: a coroutine, or a plain callable
  std::array<std::vector<int>, callback_count> calls, reported;
  std::array<int, callback_count> running{};
  std::array<bool, callback_count> overlapped{};
  bool handler_saw_wrong_callback = false;
  std::unique_ptr<modhook::registry<async_diff_hooks>> hooks; // the run-time registry's
  void operator()(const modhook::failure<>& f) { // the failure handler
    const int c = callback_index(f.callback.name);
    if (f.callback.category != "async_diff_hooks" || c < 0) {
      handler_saw_wrong_callback = true;
      return;
    }
    reported[static_cast<std::size_t>(c)].push_back(static_cast<int>(f.module.index));
  }
};

constexpr int batch = 8; // cases in flight at once; the argument is the case's place here
std::array<in_flight, batch> flights;
test::executor ex;

in_flight& flight_of(int x) {
  if (x < 0 || x >= batch) std::abort(); // the argument reaches every module unchanged
  return flights[static_cast<std::size_t>(x)];
}
// A module starts and ends: none may start while another of the same dispatch runs.
void begin(in_flight& f, int module, int c) {
  const auto i = static_cast<std::size_t>(c);
  if (f.running[i] != -1) f.overlapped[i] = true;
  f.running[i] = module;
  f.calls[i].push_back(module);
}
void end(in_flight& f, int c) { f.running[static_cast<std::size_t>(c)] = -1; }

template <int C>
value_of<C> plain_implementation(int module, int x) {
  in_flight& f = flight_of(x);
  begin(f, module, C);
  const act a = f.state.acts(module, C);
  end(f, C);
  return outcome_of<C>(a, module);
}

template <int C>
task<value_of<C>> coroutine_implementation(int module, int x) {
  in_flight& f = flight_of(x);
  begin(f, module, C);
  const suspends times = f.suspensions(module, C);
  if (times != suspends::never) co_await ex.yield();
  if (times == suspends::twice) co_await ex.yield();
  const act a = f.state.acts(module, C);
  end(f, C);
  co_return outcome_of<C>(a, module);
}

// ---- The static registries: which module implements what is the synchronous test's hash;
// whether an implementation is a coroutine is another. ----

constexpr bool static_coroutine(int pattern, int module, int c) {
  return static_implements(pattern + 7, module, c + 3);
}

template <int P, int C, int I>
task<value_of<C>> static_implementation(int x) {
  return coroutine_implementation<C>(I, x);
}
template <int P, int C, int I>
value_of<C> static_plain_implementation(int x) {
  return plain_implementation<C>(I, x);
}

template <int P, int I, int... C>
constexpr async_diff_hooks make_static_module(std::integer_sequence<int, C...>) {
  async_diff_hooks h;
  // clang-format off
  ([&] {
    if constexpr (static_implements(P, I, C)) {
      if constexpr (static_coroutine(P, I, C)) h.*member_of<C>() = &static_implementation<P, C, I>;
      else h.*member_of<C>() = &static_plain_implementation<P, C, I>;
    }
  }(), ...);
  // clang-format on
  return h;
}
template <int P, int I>
constexpr async_diff_hooks static_module = make_static_module<P, I>(all_callbacks{});

template <int P, class Modules>
struct static_hooks_of;
template <int P, int... I>
struct static_hooks_of<P, std::integer_sequence<int, I...>> {
  using type = modhook::static_registry<static_module<P, I>...>;
};

// ---- Dispatches in flight. ----

struct pending {
  virtual ~pending() = default;
  virtual std::coroutine_handle<> handle() = 0;
  virtual bool done() = 0;
  virtual observed observe_result(bool named) = 0;
};
template <class R>
struct pending_task final : pending {
  explicit pending_task(task<R> t) : dispatch(std::move(t)) {}
  task<R> dispatch;
  std::coroutine_handle<> handle() override { return dispatch.handle(); }
  bool done() override { return dispatch.done(); }
  observed observe_result(bool named) override { return observe(dispatch.result(), named); }
};
// A dispatch kept in flight as a task, which awaits it as a coroutine host does.
template <class Dispatch>
std::unique_ptr<pending> make_pending(Dispatch dispatch) {
  return std::make_unique<pending_task<typename Dispatch::result_type>>(std::move(dispatch).as_task());
}

// Resumes what is suspended, in random order, until nothing is.
void run_randomly(std::mt19937_64& random) {
  while (!ex.queued.empty()) {
    const std::size_t i = random() % ex.queued.size();
    const auto h = ex.queued[i];
    ex.queued[i] = ex.queued.back();
    ex.queued.pop_back();
    h.resume();
  }
}

// Starts every callback's dispatch for every case of the batch (`dispatch(place, member)`),
// runs them all to completion in random order, and compares each with the model.
template <class Dispatch>
bool run_batch(int cases, bool named, const char* registry, std::uint64_t seed, std::uint64_t first_case,
               std::mt19937_64& random, Dispatch&& dispatch) {
  std::vector<std::unique_ptr<pending>> dispatches; // by place, then callback
  for (int place = 0; place < cases; ++place) {
    in_flight& f = flights[static_cast<std::size_t>(place)];
    for (auto& v : f.calls) v.clear();
    for (auto& v : f.reported) v.clear();
    f.running.fill(-1);
    f.overlapped.fill(false);
    f.handler_saw_wrong_callback = false;
    [&]<int... C>(std::integer_sequence<int, C...>) {
      (dispatches.push_back(
           make_pending(dispatch(place, std::integral_constant<decltype(member_of<C>()), member_of<C>()>{}))),
       ...);
    }(all_callbacks{});
  }
  for (auto& d : dispatches) d->handle().resume(); // each runs until its first suspension
  run_randomly(random);
  bool ok = true;
  for (int place = 0; place < cases; ++place) {
    in_flight& f = flights[static_cast<std::size_t>(place)];
    for (int c = 0; c < callback_count; ++c) {
      auto& d = *dispatches[static_cast<std::size_t>(place * callback_count + c)];
      const auto i = static_cast<std::size_t>(c);
      observed want = model(f.state, c);
      observed got;
      if (d.done()) {
        got = d.observe_result(named);
        got.calls = f.calls[i];
        got.reported = f.reported[i];
      } else {
        got.what = observed::kind::empty;
        got.value = -99; // never completed
      }
      if (got == want && !f.overlapped[i] && !f.handler_saw_wrong_callback) continue;
      ok = false;
      const auto k = static_cast<unsigned long long>(first_case) + static_cast<unsigned long long>(place);
      std::printf("MISMATCH: %s registry, seed %llu case %llu (replay: --seed %llu --case %llu)\n", registry,
                  static_cast<unsigned long long>(seed), k, static_cast<unsigned long long>(seed), k);
      describe(f.state, c);
      for (int m = 0; m < f.state.modules; ++m)
        if (f.state.implemented(m, c))
          std::printf("    module %d suspends %d times\n", m, static_cast<int>(f.suspensions(m, c)));
      print("model", want);
      print("got  ", got);
      if (!d.done()) std::printf("  the dispatch never completed\n");
      if (f.overlapped[i]) std::printf("  a module started while another was running\n");
      if (f.handler_saw_wrong_callback) std::printf("  the failure handler was given the wrong callback's name\n");
    }
  }
  return ok;
}

// The asynchronous half of a case, drawn after the synchronous test's part of it.
void draw_async(std::mt19937_64& random, in_flight& f) {
  for (int m = 0; m < f.state.modules; ++m)
    for (int c = 0; c < callback_count; ++c) {
      f.coroutine(m, c) = random() % 3 != 0;
      f.suspensions(m, c) = static_cast<suspends>(random() % 3);
    }
}

bool run_time_batch(std::uint64_t seed, std::uint64_t first_case, int cases) {
  for (int place = 0; place < cases; ++place) {
    auto random = random_for(seed, first_case + static_cast<std::uint64_t>(place), 2);
    in_flight& f = flights[static_cast<std::size_t>(place)];
    const int modules = static_cast<int>(random() % (max_modules + 1));
    f.state = random_case(random, modules, [&](int, int) { return random() % 4 != 0; });
    draw_async(random, f);
    f.hooks = std::make_unique<modhook::registry<async_diff_hooks>>();
    if (!f.hooks->on_failure([&f](const modhook::failure<>& failed) { f(failed); })) return false;
    for (int m = 0; m < modules; ++m) {
      const auto loaded = f.hooks->load("m" + std::to_string(m), [&](auto& api) {
        async_diff_hooks callbacks;
        [&]<int... C>(std::integer_sequence<int, C...>) {
          // clang-format off
          ([&] {
            if (!f.state.implemented(m, C)) return;
            if (f.coroutine(m, C))
              callbacks.*member_of<C>() = [m](int x) { return coroutine_implementation<C>(m, x); };
            else
              callbacks.*member_of<C>() = [m](int x) { return plain_implementation<C>(m, x); };
          }(), ...);
          // clang-format on
        }(all_callbacks{});
        (void)api.register_callbacks(std::move(callbacks));
      });
      if (!loaded) return false;
    }
    f.hooks->seal();
  }
  auto random = random_for(seed, first_case, 3);
  return run_batch(cases, true, "run-time", seed, first_case, random, [](int place, auto member) {
    // An rvalue, which the dispatch keeps in its frame: `place` is gone when this returns.
    return flights[static_cast<std::size_t>(place)].hooks->template dispatch<decltype(member)::value>(place + 0);
  });
}

// A batch of static cases: every place uses registry P, N (one type for the batch).
template <int P, int N>
bool static_batch_with(std::uint64_t seed, std::uint64_t first_case, int cases) {
  using hooks = typename static_hooks_of<P, std::make_integer_sequence<int, N>>::type;
  for (int place = 0; place < cases; ++place) {
    auto random = random_for(seed, first_case + static_cast<std::uint64_t>(place), 4);
    in_flight& f = flights[static_cast<std::size_t>(place)];
    f.state = random_case(random, N, [](int m, int c) { return static_implements(P, m, c); });
    draw_async(random, f);
  }
  auto random = random_for(seed, first_case, 5);
  return run_batch(cases, false, "static", seed, first_case, random, [](int place, auto member) {
    return hooks::template dispatch<decltype(member)::value>(flights[static_cast<std::size_t>(place)], place + 0);
  });
}

template <int P, int... N>
constexpr auto static_batches_for(std::integer_sequence<int, N...>) {
  return std::array{&static_batch_with<P, N>...};
}
using static_sizes = std::integer_sequence<int, 0, 1, 2, 3, 8, 32>;
constexpr std::array static_batches = {static_batches_for<0>(static_sizes{}), static_batches_for<1>(static_sizes{})};

bool static_batch(std::uint64_t seed, std::uint64_t first_case, int cases) {
  auto random = random_for(seed, first_case, 6);
  const auto& pattern = static_batches[random() % std::size(static_batches)];
  return pattern[random() % pattern.size()](seed, first_case, cases);
}

} // namespace

int main(int argc, char** argv) {
  run_options options;
  if (!parse_options(argc, argv, options)) return 2;
  const auto [cases, seed, only] = options;
  std::uint64_t failures = 0;
  const std::uint64_t first = only ? *only / batch * batch : 0, last = only ? first + batch : cases;
  for (std::uint64_t k = first; k < last && failures < 5; k += batch) {
    const int n = static_cast<int>(std::min<std::uint64_t>(batch, last - k));
    if (!run_time_batch(seed, k, n)) ++failures;
    if (!static_batch(seed, k, n)) ++failures;
  }
  for (auto& f : flights) f.hooks.reset();
  if (failures != 0) {
    std::printf("%llu mismatching batches (seed %llu)\n", static_cast<unsigned long long>(failures),
                static_cast<unsigned long long>(seed));
    return 1;
  }
  std::printf("%llu asynchronous cases per registry kind, %d callbacks each (every policy), %d cases in flight, "
              "seed %llu: all equal the model\n",
              static_cast<unsigned long long>(last - first), callback_count, batch,
              static_cast<unsigned long long>(seed));
  return 0;
}
