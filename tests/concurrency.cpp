// A sealed registry dispatched from 8 threads at once: 1,000,000 dispatches in all, over an
// all_must_pass, a first_result and a run_all callback whose modules fail now and then, every
// result checked against what a single thread computes. Meanwhile another thread keeps
// trying to load a module and to register callbacks through a module's api: after seal()
// every attempt must be refused as `sealed`, and nothing registered may change. Built and
// run under ThreadSanitizer by the test command, which then fails on any report.

#include <modhook/modhook.hpp>

#include "sanitizer_defaults.hpp"

#include <atomic>
#include <cstdio>
#include <string>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

struct conc_hooks {
  MODHOOK_CALLBACKS(conc_hooks,
    (check, modhook::all_must_pass, bool(int)),
    (lookup, modhook::first_result, std::optional<int>(int)),
    (notify, modhook::run_all, void(int)));
};
using registry = modhook::registry<conc_hooks>;

namespace {

constexpr int modules = 4;
constexpr int threads = 8;
constexpr int dispatches_per_thread = 125000;

std::atomic<long> notified[modules];
std::atomic<long> failures_reported{0};

// Module k: rejects multiples of k + 7, answers for x % 5 == k, and its notify throws for
// multiples of 11 when k == 2.
bool check(int k, int x) { return x % (k + 7) != 0; }
std::optional<int> lookup(int k, int x) { return x % 5 == k ? std::optional<int>(x * 10 + k) : std::nullopt; }
void notify(int k, int x) {
  notified[k].fetch_add(1, std::memory_order_relaxed);
  if (k == 2 && x % 11 == 0) throw std::runtime_error("notify");
}

// What each dispatch must give, computed in plain code.
int expected_check_decider(int x) {
  for (int k = 0; k < modules; ++k)
    if (!check(k, x)) return k;
  return -1;
}
int expected_lookup(int x) { return x % 5 < modules ? x * 10 + x % 5 : -1; }

registry::api* first_api = nullptr; // module 0's, kept to try registering after seal()

struct module {
  int k;
  module(int index, registry::api& a) : k(index) {
    if (index == 0) first_api = &a;
    (void)a.register_callbacks(conc_hooks{
        .check = [this](int x) { return ::check(k, x); },
        .lookup = [this](int x) { return ::lookup(k, x); },
        .notify = [this](int x) { ::notify(k, x); },
    });
  }
};

} // namespace

int main() {
  registry hooks;
  if (!hooks.on_failure([](const modhook::failure<>&) { failures_reported.fetch_add(1, std::memory_order_relaxed); }))
    return 1;
  for (int k = 0; k < modules; ++k) {
    if (!hooks.load<module>("m" + std::to_string(k), k)) return 1;
  }
  hooks.seal();

  std::atomic<bool> done{false};
  std::atomic<long> wrong{0}, refused{0}, accepted{0};
  // Tries to change the registry while it is dispatched: every attempt must be refused.
  std::thread registrar([&] {
    while (!done.load(std::memory_order_acquire)) {
      auto loaded = hooks.load("late", [](registry::api& api) {
        (void)api.register_callbacks(conc_hooks{.check = [](int) { return false; }});
      });
      const auto registered = first_api->register_callbacks(conc_hooks{.check = [](int) { return false; }});
      const modhook::registration_error* errors[] = {loaded ? nullptr : &loaded.error(),
                                                     registered ? nullptr : &registered.error()};
      for (const auto* error : errors) {
        if (error != nullptr && error->reason == modhook::registration_error::kind::sealed)
          refused.fetch_add(1, std::memory_order_relaxed);
        else
          accepted.fetch_add(1, std::memory_order_relaxed);
      }
      std::this_thread::yield();
    }
  });

  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([&, t] {
      for (int i = 0; i < dispatches_per_thread; ++i) {
        const int x = t * dispatches_per_thread + i;
        switch (i % 3) {
        case 0: {
          const auto v = hooks.dispatch<&conc_hooks::check>(x);
          const int decider = expected_check_decider(x);
          if (decider < 0 ? !v.passed() : (!v.rejected() || v.decided_by()->index != static_cast<std::size_t>(decider)))
            wrong.fetch_add(1);
          break;
        }
        case 1: {
          const auto a = hooks.dispatch<&conc_hooks::lookup>(x);
          const int want = expected_lookup(x);
          if (want < 0 ? a.has_value() : (!a.has_value() || *a != want)) wrong.fetch_add(1);
          break;
        }
        default: {
          const auto c = hooks.dispatch<&conc_hooks::notify>(x);
          if (c.failure_count() != (x % 11 == 0 ? 1u : 0u)) wrong.fetch_add(1);
        }
        }
      }
    });
  for (auto& w : workers) w.join();
  done.store(true, std::memory_order_release);
  registrar.join();

  // Every notify dispatch called every module.
  long notify_dispatches = 0, throwing = 0;
  for (int t = 0; t < threads; ++t)
    for (int i = 2; i < dispatches_per_thread; i += 3) {
      ++notify_dispatches;
      if ((t * dispatches_per_thread + i) % 11 == 0) ++throwing;
    }
  for (int k = 0; k < modules; ++k)
    if (notified[k].load() != notify_dispatches) wrong.fetch_add(1);
  if (failures_reported.load() != throwing) wrong.fetch_add(1);
  if (hooks.module_count() != modules || hooks.implementation_count<&conc_hooks::check>() != modules) wrong.fetch_add(1);

  std::printf("%d threads, %d dispatches: %ld wrong; %ld registrations refused as sealed, %ld accepted\n", threads,
              threads * dispatches_per_thread, wrong.load(), refused.load(), accepted.load());
  return wrong.load() == 0 && accepted.load() == 0 && refused.load() > 0 ? 0 : 1;
}
