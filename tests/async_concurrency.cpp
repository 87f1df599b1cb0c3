// Asynchronous dispatches in flight together on a Boost.Asio io_context run by 4 threads:
// 4000 Asio coroutines each co_await dispatches of an all_must_pass, a first_result and a
// run_all callback whose module coroutines hop through the io_context's queue (so they
// resume on any of the threads), and 4000 modhook::task dispatches whose modules resume
// through it too (their frames are allocated on one thread and freed on another). Every
// result is checked against what the modules' rules say. Built and run under
// ThreadSanitizer by the test command, which fails on any report.

#include <modhook/asio.hpp>
#include <modhook/modhook.hpp>
#include <modhook/task.hpp>

#include "sanitizer_defaults.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <coroutine>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;

struct conc_async_hooks {
  MODHOOK_CALLBACKS(conc_async_hooks,
    (check, modhook::all_must_pass, asio::awaitable<bool>(int)),
    (lookup, modhook::first_result, asio::awaitable<std::optional<int>>(int)),
    (notify, modhook::run_all, asio::awaitable<void>(int)),
    (task_check, modhook::all_must_pass, modhook::task<bool>(int)));
};

namespace {

constexpr int modules = 4;
constexpr int threads = 4;
constexpr int dispatches = 4000; // of each kind

std::atomic<long> notified[modules];
std::atomic<long> failures_reported{0};
std::atomic<long> wrong{0};
std::atomic<long> completed{0};

// Module k rejects multiples of k + 7 (module 3 throws for them instead), answers for
// x % 5 == k, and its notify throws for multiples of 11 when k == 2.
bool rule_check(int k, int x) {
  if (x % (k + 7) == 0 && k == 3) throw std::runtime_error("module 3");
  return x % (k + 7) != 0;
}
std::optional<int> rule_lookup(int k, int x) { return x % 5 == k ? std::optional<int>(x * 10 + k) : std::nullopt; }

// What the dispatches must give: the first module whose rule stops them.
int expected_check_decider(int x) { // -1: all pass
  for (int k = 0; k < modules; ++k)
    if (x % (k + 7) == 0) return k;
  return -1;
}

asio::io_context io(threads);

// Through the io_context's queue: the coroutine resumes on whichever thread runs it next.
asio::awaitable<void> hop() { co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable); }
struct hop_awaiter { // the same for a modhook::task
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) const { asio::post(io, [h] { h.resume(); }); }
  void await_resume() const noexcept {}
};

asio::awaitable<void> host(const modhook::registry<conc_async_hooks>& hooks, int x) {
  const auto verdict = co_await hooks.dispatch<&conc_async_hooks::check>(x + 0);
  const int decider = expected_check_decider(x);
  const bool check_ok = decider < 0 ? verdict.passed()
                        : decider == 3
                            ? verdict.failed() && verdict.decided_by()->name == "m3"
                            : verdict.rejected() && verdict.decided_by()->name == "m" + std::to_string(decider);
  const auto answer = co_await hooks.dispatch<&conc_async_hooks::lookup>(x + 0);
  const bool lookup_ok = x % 5 == 4 ? !answer.has_value()
                                    : answer.has_value() && *answer == x * 10 + x % 5 &&
                                          answer.decided_by()->name == "m" + std::to_string(x % 5);
  const auto done = co_await hooks.dispatch<&conc_async_hooks::notify>(x + 0);
  const bool notify_ok = x % 11 == 0 ? done.failure_count() == 1 && done.first_failure()->module.name == "m2"
                                     : done.ok();
  if (!check_ok || !lookup_ok || !notify_ok) ++wrong;
  ++completed;
}

modhook::task<void> task_host(const modhook::registry<conc_async_hooks>& hooks, int x) {
  const auto verdict = co_await hooks.dispatch<&conc_async_hooks::task_check>(x + 0);
  const int decider = expected_check_decider(x);
  const bool ok = decider < 0 ? verdict.passed()
                  : decider == 3
                      ? verdict.failed() && verdict.decided_by()->name == "m3"
                      : verdict.rejected() && verdict.decided_by()->name == "m" + std::to_string(decider);
  if (!ok) ++wrong;
  ++completed;
}

} // namespace

int main() {
  modhook::registry<conc_async_hooks> hooks;
  // Which module failed, by callback: check and task_check fail only in m3, notify only in m2.
  if (!hooks.on_failure([](const modhook::failure<>& f) {
        ++failures_reported;
        const bool notify = f.callback.name == "notify";
        if (f.module.name != (notify ? "m2" : "m3")) ++wrong;
      }))
    return 1;
  for (int k = 0; k < modules; ++k) {
    const auto loaded = hooks.load("m" + std::to_string(k), [k](auto& api) {
      conc_async_hooks callbacks;
      if (k == 2) // a plain callable among coroutines
        callbacks.check = [k](int x) { return rule_check(k, x); };
      else
        callbacks.check = [k](int x) -> asio::awaitable<bool> {
          co_await hop();
          co_return rule_check(k, x);
        };
      callbacks.lookup = [k](int x) -> asio::awaitable<std::optional<int>> {
        co_await hop();
        co_return rule_lookup(k, x);
      };
      callbacks.notify = [k](int x) -> asio::awaitable<void> {
        co_await hop();
        ++notified[k];
        if (k == 2 && x % 11 == 0) throw std::runtime_error("notify");
      };
      callbacks.task_check = [k](int x) -> modhook::task<bool> {
        co_await hop_awaiter{};
        co_return rule_check(k, x);
      };
      (void)api.register_callbacks(std::move(callbacks));
    });
    if (!loaded) return 1;
  }
  hooks.seal();

  std::vector<modhook::task<void>> tasks;
  tasks.reserve(dispatches);
  for (int x = 0; x < dispatches; ++x) {
    asio::co_spawn(io, host(hooks, x), asio::detached);
    tasks.push_back(task_host(hooks, x));
    asio::post(io, [h = tasks.back().handle()] { h.resume(); }); // started on a pool thread
  }
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back([] { io.run(); });
  for (auto& t : pool) t.join();

  long undone = 0;
  for (auto& t : tasks)
    if (!t.done()) ++undone;
  long expected_failures = 0;
  for (int x = 0; x < dispatches; ++x)
    expected_failures += (x % 11 == 0) + 2 * (expected_check_decider(x) == 3); // notify; check twice
  bool counts_ok = failures_reported == expected_failures && undone == 0;
  for (int k = 0; k < modules; ++k) counts_ok = counts_ok && notified[k] == dispatches;
  std::printf("%d threads, %d Asio and %d modhook::task hosts: %ld completed, %ld wrong, failures %s\n", threads,
              dispatches, dispatches, completed.load(), wrong.load(), counts_ok ? "as expected" : "NOT as expected");
  return wrong == 0 && counts_ok && completed == 2 * dispatches ? 0 : 1;
}
