// Runs one asynchronous variant's dispatch ITERATIONS times, for callgrind to count
// instructions (benchmarks/run.py takes the difference of two runs, so set-up cancels out):
//   valgrind --tool=callgrind --toggle-collect='*measured_*' async_counts VARIANT N ITERATIONS
// Every variant dispatches `bool(int)`, all must pass, over N modules that all pass:
//   sync_plain      the synchronous dispatch of plain functions (run-time registry)
//   async_plain     the same functions in an asynchronous slot (modhook::task<bool>)
//   async_task      modhook::task coroutines that complete at once, in that slot
//   hand_task_loop  `for (auto m : modules) co_await m(x)` over the same coroutines
//   hand_context_loop  the cheapest loop with modhook's guarantees: a vector of {function,
//                   context} entries, each coroutine awaited in a try block (a throw denies)
//   async_asio      asio::awaitable coroutines, the dispatch co_awaited from an Asio coroutine
//   hand_asio_loop  the same loop by hand in the Asio coroutine
//   static_sync_plain, static_async_plain, static_async_task: the first three on a static
//                   registry of constexpr modules (N of 1, 4, 16)
// A modhook::task dispatch is awaited step by step as `co_await` in a host coroutine awaits
// it (await_ready, then await_suspend and a resume if it is not ready, then await_resume),
// with a continuation that does nothing; the hand-written loop, a task itself, is resumed
// by hand, then its result read.

#include "async_callbacks.hpp"

#include <modhook/modhook.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <coroutine>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace asio = boost::asio;

struct sync_hooks {
  MODHOOK_CALLBACKS(sync_hooks, (check, modhook::all_must_pass, bool(int)));
};
struct task_hooks {
  MODHOOK_CALLBACKS(task_hooks, (check, modhook::all_must_pass, modhook::task<bool>(int)));
};
struct asio_hooks {
  MODHOOK_CALLBACKS(asio_hooks, (check, modhook::all_must_pass, asio::awaitable<bool>(int)));
};

namespace {

int passed = 0;

template <class Category, class F>
void load(modhook::registry<Category>& hooks, int n, F function_of) {
  for (int i = 0; i < n; ++i)
    (void)hooks.load("m" + std::to_string(i),
                     [&](auto& api) { (void)api.register_callbacks(Category{.check = function_of(i)}); });
  hooks.seal();
}
template <class Category, class F>
void load(modhook::live_registry<Category>& hooks, int n, F function_of) {
  for (int i = 0; i < n; ++i)
    (void)hooks.load("m" + std::to_string(i),
                     [&](auto& api) { (void)api.register_callbacks(Category{.check = function_of(i)}); });
}

// Inlined into every measured function, so that the compiler's choice cannot differ between variants.
template <class Dispatch>
[[gnu::always_inline]] inline bool awaited(Dispatch&& d) {
  if (!d.await_ready()) d.await_suspend(std::noop_coroutine()).resume();
  return d.await_resume().passed();
}

modhook::task<bool> hand_task_loop(const std::vector<async_bench::task_check>& modules, int x) {
  for (auto m : modules)
    if (!co_await m(x)) co_return false;
  co_return true;
}
struct context_entry {
  async_bench::context_check function;
  void* context;
};
modhook::task<bool> hand_context_loop(const std::vector<context_entry>& modules, int x) {
  for (const context_entry& m : modules) {
    bool passes = false;
    try {
      passes = co_await m.function(m.context, x);
    } catch (...) {
      passes = false;
    }
    if (!passes) co_return false;
  }
  co_return true;
}
asio::awaitable<bool> hand_asio_loop(const std::vector<async_bench::asio_check>& modules, int x) {
  for (auto m : modules)
    if (!co_await m(x)) co_return false;
  co_return true;
}

// Static registries of N constexpr modules.
template <int I>
constexpr sync_hooks static_sync_module{.check = &async_bench::plain<I>};
template <int I>
constexpr task_hooks static_plain_module{.check = &async_bench::plain<I>};
template <int I>
constexpr task_hooks static_task_module{.check = &async_bench::coroutine<I>};
template <int... I>
struct static_hooks {
  using sync = modhook::static_registry<static_sync_module<I>...>;
  using plain = modhook::static_registry<static_plain_module<I>...>;
  using coroutines = modhook::static_registry<static_task_module<I>...>;
};
template <int... I>
static_hooks<I...> static_hooks_for(std::integer_sequence<int, I...>);
template <int N>
using static_hooks_of = decltype(static_hooks_for(std::make_integer_sequence<int, N>{}));

template <class Hooks>
[[gnu::noinline]] void measured_static_sync(long iterations) {
  for (long i = 0; i < iterations; ++i) passed += Hooks::template dispatch<&sync_hooks::check>(1).passed() ? 1 : 0;
}
template <class Hooks>
[[gnu::noinline]] void measured_static_task(long iterations) {
  for (long i = 0; i < iterations; ++i) passed += awaited(Hooks::template dispatch<&task_hooks::check>(1)) ? 1 : 0;
}
template <int N>
bool run_static(std::string_view variant, long iterations) {
  using hooks = static_hooks_of<N>;
  if (variant == "static_sync_plain")
    measured_static_sync<typename hooks::sync>(iterations);
  else if (variant == "static_async_plain")
    measured_static_task<typename hooks::plain>(iterations);
  else if (variant == "static_async_task")
    measured_static_task<typename hooks::coroutines>(iterations);
  else
    return false;
  return true;
}

[[gnu::noinline]] void measured_sync(const modhook::registry<sync_hooks>& hooks, long iterations) {
  for (long i = 0; i < iterations; ++i) passed += hooks.dispatch<&sync_hooks::check>(1).passed() ? 1 : 0;
}
[[gnu::noinline]] void measured_task(const modhook::registry<task_hooks>& hooks, long iterations) {
  for (long i = 0; i < iterations; ++i) passed += awaited(hooks.dispatch<&task_hooks::check>(1)) ? 1 : 0;
}
// The live registry: a dispatch holds its module set from await_ready to its end.
[[gnu::noinline]] void measured_live_task(const modhook::live_registry<task_hooks>& hooks, long iterations) {
  for (long i = 0; i < iterations; ++i) passed += awaited(hooks.dispatch<&task_hooks::check>(1)) ? 1 : 0;
}
[[gnu::noinline]] void measured_hand_task(const std::vector<async_bench::task_check>& modules, long iterations) {
  for (long i = 0; i < iterations; ++i) {
    auto t = hand_task_loop(modules, 1);
    t.handle().resume();
    passed += t.done() && t.result() ? 1 : 0;
  }
}
[[gnu::noinline]] void measured_hand_context(const std::vector<context_entry>& modules, long iterations) {
  for (long i = 0; i < iterations; ++i) {
    auto t = hand_context_loop(modules, 1);
    t.handle().resume();
    passed += t.done() && t.result() ? 1 : 0;
  }
}
// The whole io_context run: one Asio coroutine awaiting `iterations` dispatches.
asio::awaitable<void> asio_host(const modhook::registry<asio_hooks>& hooks, long iterations) {
  for (long i = 0; i < iterations; ++i) passed += (co_await hooks.dispatch<&asio_hooks::check>(1)).passed() ? 1 : 0;
}
asio::awaitable<void> hand_asio_host(const std::vector<async_bench::asio_check>& modules, long iterations) {
  for (long i = 0; i < iterations; ++i) passed += (co_await hand_asio_loop(modules, 1)) ? 1 : 0;
}
[[gnu::noinline]] void measured_asio(asio::awaitable<void> host) {
  asio::io_context io;
  asio::co_spawn(io, std::move(host), asio::detached);
  io.run();
}

} // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s VARIANT N ITERATIONS\n", argv[0]);
    return 2;
  }
  const std::string_view variant = argv[1];
  const int n = std::atoi(argv[2]);
  const long iterations = std::atol(argv[3]);
  if (n < 1 || n > 16) return 2;
  if (variant == "sync_plain") {
    modhook::registry<sync_hooks> hooks;
    load(hooks, n, async_bench::plain_check);
    measured_sync(hooks, iterations);
  } else if (variant == "async_plain") {
    modhook::registry<task_hooks> hooks;
    load(hooks, n, async_bench::plain_check);
    measured_task(hooks, iterations);
  } else if (variant == "async_task") {
    modhook::registry<task_hooks> hooks;
    load(hooks, n, async_bench::task_check_function);
    measured_task(hooks, iterations);
  } else if (variant == "live_async_plain") {
    modhook::live_registry<task_hooks> hooks;
    load(hooks, n, async_bench::plain_check);
    measured_live_task(hooks, iterations);
  } else if (variant == "live_async_task") {
    modhook::live_registry<task_hooks> hooks;
    load(hooks, n, async_bench::task_check_function);
    measured_live_task(hooks, iterations);
  } else if (variant == "hand_task_loop") {
    std::vector<async_bench::task_check> modules;
    for (int i = 0; i < n; ++i) modules.push_back(async_bench::task_check_function(i));
    measured_hand_task(modules, iterations);
  } else if (variant == "hand_context_loop") {
    static int context = 0;
    std::vector<context_entry> modules;
    for (int i = 0; i < n; ++i) modules.push_back({async_bench::context_check_function(i), &context});
    measured_hand_context(modules, iterations);
  } else if (variant == "async_asio") {
    modhook::registry<asio_hooks> hooks;
    load(hooks, n, async_bench::asio_check_function);
    measured_asio(asio_host(hooks, iterations));
  } else if (variant == "hand_asio_loop") {
    std::vector<async_bench::asio_check> modules;
    for (int i = 0; i < n; ++i) modules.push_back(async_bench::asio_check_function(i));
    measured_asio(hand_asio_host(modules, iterations));
  } else if (!(n == 1 ? run_static<1>(variant, iterations)
                 : n == 4 ? run_static<4>(variant, iterations)
                 : n == 16 ? run_static<16>(variant, iterations)
                           : false)) {
    std::fprintf(stderr, "unknown variant or size: %s %d\n", argv[1], n);
    return 2;
  }
  std::printf("%d\n", passed);
  return passed == iterations ? 0 : 1;
}
