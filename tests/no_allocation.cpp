// No dispatch allocates: the global allocator counts, every policy is dispatched on every
// path (pass, reject, answer, error value, exception), with callables stored in every way.

#include "test_categories.hpp"

#include <modhook/task.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <coroutine>
#include <cstdlib>
#include <new>
#include <stdexcept>
#include <thread>

namespace {
std::size_t allocations = 0;
}

void* operator new(std::size_t size) {
  ++allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return ::operator new(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  ++allocations;
  return std::malloc(size == 0 ? 1 : size);
}
void* operator new[](std::size_t size, const std::nothrow_t& tag) noexcept { return ::operator new(size, tag); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

using namespace test;

namespace {

template <class F>
std::size_t allocations_during(F&& f) {
  const std::size_t before = allocations;
  f();
  return allocations - before;
}

// Thrown by the modules below: unlike std::runtime_error it allocates no message, so any
// allocation counted on a failure path would be modhook's own.
struct failure_code {
  int value;
};

struct bound {
  bool check(const event& e) { return e.body != "deny"; }
};

} // namespace

TEST_CASE("the counting allocator sees allocations") {
  // Proves the replacement is in effect, so the zeros below mean something.
  CHECK(allocations_during([] { delete new int(1); }) == 1);
}

TEST_CASE("no dispatch allocates, on any path of any policy") {
  hooks h;
  bound b;
  std::array<char, 64> big{};
  REQUIRE(h.on_failure([](const modhook::failure<>&) {}));
  REQUIRE(h.load("mixed", [&](hooks::api& api) {
    REQUIRE(api.register_callbacks(rules{
        .check_event_allowed = modhook::bind<&bound::check>(b),
        .check_threepid_can_be_invited = [big](const std::string& s) -> bool {
          if (s == "throw") throw failure_code{1};
          return big[0] == 0;
        },
        .check_event_for_spam = [](const event& e) { return e.body == "spam" ? spam_verdict::spam : spam_verdict::not_spam; },
        .on_create_room = [n = 0](std::string& request, bool) mutable { // mutable: heap-stored
          if (request == "throw") throw failure_code{++n};
        },
        .on_new_event = [&b](const event& e) { (void)b.check(e); },
        .is_user_expired = [](const std::string& s) -> std::optional<bool> {
          if (s == "answer") return true;
          return std::nullopt;
        },
        .check_username = [](const std::string& s) -> modhook::expected<bool, module_error> {
          if (s == "error") return modhook::unexpected(module_error{});
          return s != "deny";
        },
        .on_bind = [](const std::string&) -> modhook::expected<void, module_error> { return {}; },
    }));
  }));
  REQUIRE(h.load("second", [](hooks::api& api) {
    REQUIRE(api.register_callbacks(rules{.check_event_allowed = [](const event&) { return true; }}));
  }));
  h.seal();

  const event ok{"a", "ok"};
  const event deny{"a", "deny"};
  const event spam{"a", "spam"};
  const std::string s_ok = "ok", s_throw = "throw", s_answer = "answer", s_error = "error", s_deny = "deny";
  std::string request = "room", throwing_request = "throw";

  CHECK(allocations_during([&] { CHECK(h.dispatch<&rules::check_event_allowed>(ok).passed()); }) == 0);
  CHECK(allocations_during([&] { CHECK(h.dispatch<&rules::check_event_allowed>(deny).rejected()); }) == 0);
  CHECK(allocations_during([&] { CHECK(h.dispatch<&rules::check_threepid_can_be_invited>(s_ok).passed()); }) == 0);
  CHECK(allocations_during([&] { CHECK(h.dispatch<&rules::check_event_for_spam>(spam).rejected()); }) == 0);
  CHECK(allocations_during([&] { CHECK(h.dispatch<&rules::on_create_room>(request, false).ok()); }) == 0);
  CHECK(allocations_during([&] { CHECK(h.dispatch<&rules::on_new_event>(ok).ok()); }) == 0);
  CHECK(allocations_during([&] { CHECK(h.dispatch<&rules::is_user_expired>(s_answer).has_value()); }) == 0);
  CHECK(allocations_during([&] { CHECK_FALSE(h.dispatch<&rules::is_user_expired>(s_ok).has_value()); }) == 0);
  CHECK(allocations_during([&] { CHECK(h.dispatch<&rules::check_username>(s_deny).rejected()); }) == 0);
  CHECK(allocations_during([&] { CHECK(h.dispatch<&rules::check_username>(s_error).failed()); }) == 0);
  CHECK(allocations_during([&] { CHECK(h.dispatch<&rules::on_bind>(s_ok).ok()); }) == 0);
  CHECK(allocations_during([&] { CHECK(h.dispatch<&account::on_user_registration>(s_ok).ok()); }) == 0);
  // Failure paths: the exception object comes from the C++ runtime's own allocator, not
  // operator new, and failure_code allocates nothing, so these count modhook's allocations.
  CHECK(allocations_during([&] { CHECK(h.dispatch<&rules::check_threepid_can_be_invited>(s_throw).failure_count() == 1); }) == 0);
  CHECK(allocations_during([&] { CHECK(h.dispatch<&rules::on_create_room>(throwing_request, false).failed()); }) == 0);
}

TEST_CASE("a wrapped dispatch allocates nothing, on every path of its wrapper") {
  hooks h;
  REQUIRE(h.on_failure([](const modhook::failure<>&) {}));
  REQUIRE(h.load("wrapper", [](hooks::api& api) {
    // Passes the rest through, answers without it, or throws (before or after the rest).
    REQUIRE(api.wrap<&rules::check_threepid_can_be_invited>(
        [self = api.module()](auto rest, const std::string& s) -> modhook::verdict<bool, void> {
          if (s == "short") return modhook::verdict<bool, void>::rejected_by(self, false);
          if (s == "throw") throw failure_code{1};
          auto r = rest();
          if (s == "throw after") throw failure_code{2};
          return r;
        }));
  }));
  REQUIRE(h.load("module", [](hooks::api& api) {
    REQUIRE(api.register_callbacks(rules{.check_threepid_can_be_invited = [](const std::string& s) -> bool {
      if (s == "module throws") throw failure_code{3};
      return s != "deny";
    }}));
  }));
  h.seal();
  const std::string ok = "ok", deny = "deny", shortcut = "short", throws = "throw", after = "throw after",
                    module_throws = "module throws";
  CHECK(allocations_during([&] { CHECK(h.dispatch<&rules::check_threepid_can_be_invited>(ok).passed()); }) == 0);
  CHECK(allocations_during([&] { CHECK(h.dispatch<&rules::check_threepid_can_be_invited>(deny).rejected()); }) == 0);
  CHECK(allocations_during([&] { CHECK(h.dispatch<&rules::check_threepid_can_be_invited>(shortcut).rejected()); }) ==
        0);
  CHECK(allocations_during([&] {
          CHECK(h.dispatch<&rules::check_threepid_can_be_invited>(throws).failure_count() == 1);
        }) == 0);
  CHECK(allocations_during([&] {
          CHECK(h.dispatch<&rules::check_threepid_can_be_invited>(after).failure_count() == 1);
        }) == 0);
  CHECK(allocations_during([&] {
          CHECK(h.dispatch<&rules::check_threepid_can_be_invited>(module_throws).failure_count() == 1);
        }) == 0);
}

namespace {
modhook::task<int> leaf(int x) { co_return x + 1; }
std::coroutine_handle<> parked; // a one-slot executor: the suspended coroutine waits here
struct park {
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) const noexcept { parked = h; }
  void await_resume() const noexcept {}
};
modhook::task<int> parks(int x) {
  co_await park{};
  co_return x;
}
modhook::task<int> chain(int n, bool suspend) {
  int total = 0;
  for (int i = 0; i < n; ++i) {
    if (suspend)
      total += co_await parks(i);
    else
      total += co_await leaf(i);
  }
  co_return total;
}
int result = 0;
void run_chain(bool suspend) {
  auto t = chain(8, suspend);
  t.handle().resume();
  while (!t.done() && parked) std::exchange(parked, nullptr).resume();
  result = t.done() ? t.result() : -1;
}
} // namespace

TEST_CASE("modhook::task frames are recycled: a repeated chain allocates nothing") {
  // The first run fills this thread's pool: the chain's frame, and one for the task it
  // awaits, which each next task it awaits reuses. Later runs reuse them all, whether the
  // tasks complete at once or suspend and are resumed.
  CHECK(allocations_during([] { run_chain(false); }) == 2);
  CHECK(result == 36);
  for (bool suspend : {false, true}) {
    CHECK(allocations_during([&] { run_chain(suspend); }) == 0);
    CHECK(result == (suspend ? 28 : 36));
    CHECK(allocations_during([&] { run_chain(suspend); }) == 0);
  }
}

namespace {
struct async_rules {
  MODHOOK_CALLBACKS(async_rules, (check, modhook::all_must_pass, modhook::task<bool>(int)));
};
bool plain_passes(int x) { return x >= 0; }
modhook::task<bool> passes_at_once(int x) { co_return x >= 0; }
modhook::task<bool> passes_after_parking(int x) {
  co_await park{};
  co_return x >= 0;
}
constexpr async_rules static_plain{.check = &plain_passes};
constexpr async_rules static_at_once{.check = &passes_at_once};
constexpr async_rules static_parking{.check = &passes_after_parking};

// Driven as a host without coroutines of its own drives one: as a task.
template <class Dispatch>
bool run_dispatch(Dispatch dispatch) {
  auto t = std::move(dispatch).as_task();
  t.handle().resume();
  while (!t.done() && parked) std::exchange(parked, nullptr).resume();
  return t.done() && t.result().passed();
}
} // namespace

TEST_CASE("an asynchronous dispatch allocates nothing once its frames are recycled") {
  // Three modules: a plain callable, a coroutine that completes at once, one that suspends.
  modhook::registry<async_rules> hooks;
  REQUIRE(hooks.load("plain", [](auto& api) { (void)api.register_callbacks(async_rules{.check = &plain_passes}); }));
  REQUIRE(hooks.load("at once", [](auto& api) { (void)api.register_callbacks(async_rules{.check = &passes_at_once}); }));
  REQUIRE(hooks.load("parking", [](auto& api) {
    (void)api.register_callbacks(async_rules{.check = &passes_after_parking});
  }));
  hooks.seal();
  using static_hooks = modhook::static_registry<static_plain, static_at_once, static_parking>;
  bool passed = run_dispatch(hooks.dispatch<&async_rules::check>(1)) && run_dispatch(static_hooks::dispatch<&async_rules::check>(1));
  CHECK(passed); // the first runs fill this thread's pool
  for (int i = 0; i < 3; ++i) {
    CHECK(allocations_during([&] { passed = run_dispatch(hooks.dispatch<&async_rules::check>(1)); }) == 0);
    CHECK(passed);
    CHECK(allocations_during([&] { passed = run_dispatch(static_hooks::dispatch<&async_rules::check>(1)); }) == 0);
    CHECK(passed);
  }
}

TEST_CASE("an asynchronous dispatch of plain callables has no coroutine frame at all") {
  // On a new thread, whose frame pool is empty, any coroutine frame would be allocated.
  modhook::registry<async_rules> plain_only;
  REQUIRE(plain_only.load("plain", [](auto& api) { (void)api.register_callbacks(async_rules{.check = &plain_passes}); }));
  REQUIRE(plain_only.load("plain too", [](auto& api) { (void)api.register_callbacks(async_rules{.check = &plain_passes}); }));
  plain_only.seal();
  using static_plain_only = modhook::static_registry<static_plain, static_plain>;
  std::size_t counted = 99;
  bool ready = false, passed = false, static_ready = false, static_passed = false;
  std::thread([&] {
    counted = allocations_during([&] {
      // What `co_await` does with the dispatch, step by step.
      auto d = plain_only.dispatch<&async_rules::check>(1);
      ready = d.await_ready();
      passed = ready && d.await_resume().passed();
      auto s = static_plain_only::dispatch<&async_rules::check>(-1);
      static_ready = s.await_ready();
      static_passed = static_ready && s.await_resume().passed();
    });
  }).join();
  CHECK(counted == 0);
  CHECK(ready);
  CHECK(passed);
  CHECK(static_ready);
  CHECK_FALSE(static_passed); // -1 fails: the result is the callables', not a default
}
