// Asynchronous callbacks on the run-time registry: implementations that are coroutines
// (suspending on a test executor, or not) and plain callables, mixed in one dispatch, in
// order, each awaited before the next starts, combined by the same policies.

#include <modhook/modhook.hpp>
#include <modhook/task.hpp>

#include "test_executor.hpp"

#include <catch2/catch.hpp>

#include <coroutine>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using test::executor;

// Starts a dispatch (as a task) and runs the executor until it is done.
template <class Dispatch>
typename std::remove_cvref_t<Dispatch>::result_type run(executor& ex, Dispatch&& dispatch) {
  auto t = std::move(dispatch).as_task();
  t.handle().resume();
  ex.run();
  REQUIRE(t.done());
  return t.result();
}

struct async_rules {
  MODHOOK_CALLBACKS(async_rules,
    (check, modhook::all_must_pass, modhook::task<bool>(const std::string&)),
    (notify, modhook::run_all, modhook::task<void>(const std::string&)),
    (expired, modhook::first_result, modhook::task<std::optional<bool>>(const std::string&)),
    (count, modhook::run_all, modhook::task<modhook::expected<void, int>>(int&)));
};

std::vector<std::string> trace;
int frames_destroyed = 0; // of suspending::check's coroutines, counted by a local's destructor
struct frame_guard {
  ~frame_guard() { ++frames_destroyed; }
};

// A module whose every implementation is a coroutine that suspends once.
struct suspending {
  executor& ex;
  std::string name;
  modhook::task<bool> check(const std::string& s) {
    const frame_guard guard;
    trace.push_back(name + " starts");
    co_await ex.yield();
    trace.push_back(name + " resumes");
    if (s == "throw " + name) throw std::runtime_error(name);
    co_return s != "deny " + name;
  }
};

} // namespace

TEST_CASE("asynchronous all_must_pass: in order, each awaited before the next, early stop, failure") {
  executor ex;
  modhook::registry<async_rules> hooks;
  suspending a{ex, "a"}, c{ex, "c"};
  REQUIRE(hooks.load("a", [&](auto& api) { (void)api.register_callbacks(async_rules{.check = modhook::bind<&suspending::check>(a)}); }));
  REQUIRE(hooks.load("b", [](auto& api) {
    (void)api.register_callbacks(async_rules{.check = [](const std::string& s) {
      trace.push_back("b plain");
      return s != "deny b";
    }});
  }));
  REQUIRE(hooks.load("c", [&](auto& api) { (void)api.register_callbacks(async_rules{.check = modhook::bind<&suspending::check>(c)}); }));
  std::vector<std::string> failed; // the modules the failure handler was given
  REQUIRE(hooks.on_failure([&](const modhook::failure<>& f) noexcept { failed.emplace_back(f.module.name); }));
  hooks.seal();

  SECTION("all pass") {
    trace.clear();
    auto t = hooks.dispatch<&async_rules::check>(std::string("ok")).as_task();
    t.handle().resume();
    CHECK(trace == std::vector<std::string>{"a starts"}); // b not called while a is suspended
    ex.run();
    REQUIRE(t.done());
    CHECK(t.result().passed());
    CHECK(trace == std::vector<std::string>{"a starts", "a resumes", "b plain", "c starts", "c resumes"});
  }
  SECTION("a plain callable rejects: later modules are never started") {
    trace.clear();
    const auto v = run(ex, hooks.dispatch<&async_rules::check>(std::string("deny b")));
    CHECK(v.rejected());
    CHECK(v.decided_by()->name == "b");
    CHECK(trace == std::vector<std::string>{"a starts", "a resumes", "b plain"});
  }
  SECTION("a coroutine throws after resuming: a failure, not a rejection, naming the module") {
    trace.clear();
    const auto v = run(ex, hooks.dispatch<&async_rules::check>(std::string("throw a")));
    CHECK(v.failed());
    CHECK_FALSE(v.rejected());
    CHECK(v.decided_by()->name == "a");
    CHECK(failed == std::vector<std::string>{"a"});
    CHECK(trace == std::vector<std::string>{"a starts", "a resumes"});
  }
}

TEST_CASE("asynchronous run_all, first_result and error values use the same policies") {
  executor ex;
  modhook::registry<async_rules> hooks;
  REQUIRE(hooks.load("first", [&](auto& api) {
    (void)api.register_callbacks(async_rules{
        .notify = [&](const std::string& s) -> modhook::task<void> {
          co_await ex.yield();
          trace.push_back("first " + s);
          throw std::runtime_error("first fails");
        },
        .expired = [](const std::string&) { return std::optional<bool>{}; },
        .count = [&](int& n) -> modhook::task<modhook::expected<void, int>> {
          co_await ex.yield();
          ++n;
          co_return modhook::unexpected(3);
        }});
  }));
  REQUIRE(hooks.load("second", [&](auto& api) {
    (void)api.register_callbacks(async_rules{
        .notify = [](const std::string& s) { trace.push_back("second " + s); },
        .expired = [&](const std::string& user) -> modhook::task<std::optional<bool>> {
          co_await ex.yield();
          co_return user == "@old" ? std::optional<bool>(true) : std::nullopt;
        },
        .count = [](int& n) -> modhook::expected<void, int> {
          n += 10;
          return {};
        }});
  }));
  REQUIRE(hooks.load("third", [&](auto& api) {
    (void)api.register_callbacks(async_rules{.expired = [&](const std::string&) -> modhook::task<std::optional<bool>> {
      trace.push_back("third asked");
      co_return false;
    }});
  }));
  hooks.seal();

  trace.clear();
  const auto done = run(ex, hooks.dispatch<&async_rules::notify>(std::string("x")));
  CHECK(done.failure_count() == 1);
  CHECK(done.first_failure()->module.name == "first");
  CHECK(trace == std::vector<std::string>{"first x", "second x"});

  trace.clear();
  const auto old = run(ex, hooks.dispatch<&async_rules::expired>(std::string("@old")));
  REQUIRE(old.has_value());
  CHECK(*old == true);
  CHECK(old.decided_by()->name == "second");
  CHECK(trace.empty()); // third never started
  const auto young = run(ex, hooks.dispatch<&async_rules::expired>(std::string("@young")));
  REQUIRE(young.has_value());
  CHECK(*young == false);
  CHECK(young.decided_by()->name == "third");

  int n = 0;
  const auto counted = run(ex, hooks.dispatch<&async_rules::count>(n));
  CHECK(n == 11); // the caller's object, edited across a suspension
  CHECK(counted.failure_count() == 1);
  REQUIRE(counted.first_failure()->error.has_value());
  CHECK(*counted.first_failure()->error == 3);
}

TEST_CASE("a destroyed suspended dispatch destroys the running module's coroutine and starts no other") {
  executor ex;
  modhook::registry<async_rules> hooks;
  suspending a{ex, "a"};
  REQUIRE(hooks.load("a", [&](auto& api) { (void)api.register_callbacks(async_rules{.check = modhook::bind<&suspending::check>(a)}); }));
  REQUIRE(hooks.load("b", [](auto& api) {
    (void)api.register_callbacks(async_rules{.check = [](const std::string&) {
      trace.push_back("b plain");
      return true;
    }});
  }));
  hooks.seal();
  trace.clear();
  frames_destroyed = 0;
  {
    auto t = hooks.dispatch<&async_rules::check>(std::string("ok")).as_task();
    t.handle().resume();
    REQUIRE(ex.queued.size() == 1);
    CHECK(frames_destroyed == 0); // a is suspended
  }
  CHECK(frames_destroyed == 1); // a's coroutine went with the dispatch
  ex.queued.clear();            // the executor must not resume it now: it is gone
  CHECK(trace == std::vector<std::string>{"a starts"});
}

// The static registry: the same driver over an array of constants.
namespace static_modules {

executor ex;
int failures_seen = 0;
std::vector<std::string> failed_modules;

modhook::task<bool> suspending_check(const std::string& s) {
  trace.push_back("0 starts");
  co_await ex.yield();
  trace.push_back("0 resumes");
  if (s == "throw 0") throw std::runtime_error("0");
  co_return s != "deny 0";
}
bool plain_check(const std::string& s) {
  trace.push_back("2 plain");
  return s != "deny 2";
}
modhook::task<bool> late_check(const std::string& s) {
  trace.push_back("3 starts");
  co_await ex.yield();
  trace.push_back("3 resumes");
  co_return s != "deny 3";
}
modhook::task<std::optional<bool>> no_answer(const std::string&) {
  co_await ex.yield();
  co_return std::nullopt;
}
std::optional<bool> answers(const std::string& user) { return user == "@old"; }

constexpr async_rules zero{.check = &suspending_check, .expired = &no_answer};
constexpr async_rules one{};                                    // implements nothing
constexpr async_rules two{.check = &plain_check, .expired = &answers};
constexpr async_rules three{.check = &late_check};
using hooks = modhook::static_registry<zero, one, two, three>;

void count_failure(const modhook::failure<>& f) {
  ++failures_seen;
  failed_modules.push_back(std::to_string(f.module.index));
}

} // namespace static_modules

TEST_CASE("asynchronous dispatch on the static registry: order, early stop, failure, positions") {
  using namespace static_modules;
  static_assert(hooks::implementation_count<&async_rules::check> == 3);
  SECTION("all pass, each awaited before the next starts") {
    trace.clear();
    auto t = hooks::dispatch<&async_rules::check>(std::string("ok")).as_task();
    t.handle().resume();
    CHECK(trace == std::vector<std::string>{"0 starts"});
    ex.run();
    REQUIRE(t.done());
    CHECK(t.result().passed());
    CHECK(trace == std::vector<std::string>{"0 starts", "0 resumes", "2 plain", "3 starts", "3 resumes"});
  }
  SECTION("a rejection names the module by its position and starts no later one") {
    trace.clear();
    const auto v = run(ex, hooks::dispatch<&async_rules::check>(std::string("deny 2")));
    CHECK(v.rejected());
    CHECK(v.decided_by()->index == 2);
    CHECK(trace == std::vector<std::string>{"0 starts", "0 resumes", "2 plain"});
  }
  SECTION("a throw after resuming is a failure, given to a function handler that outlives the call") {
    trace.clear();
    failures_seen = 0;
    failed_modules.clear();
    auto t = hooks::dispatch<&async_rules::check>(&count_failure, std::string("throw 0")).as_task();
    t.handle().resume(); // the handler's pointer lives in the dispatch's frame, not in dispatch()'s
    ex.run();
    REQUIRE(t.done());
    const auto v = t.result();
    CHECK(v.failed());
    CHECK_FALSE(v.rejected());
    CHECK(v.decided_by()->index == 0);
    CHECK(failures_seen == 1);
    CHECK(failed_modules == std::vector<std::string>{"0"});
    CHECK(trace == std::vector<std::string>{"0 starts", "0 resumes"});
  }
  SECTION("a temporary callable handler is kept in the dispatch's frame (ASan: no use after free)") {
    trace.clear();
    std::vector<std::string> seen;
    auto t = hooks::dispatch<&async_rules::check>(
        [&seen, tag = std::string(64, 'h')](const modhook::failure<>& f) {
          seen.push_back(tag.substr(0, 1) + std::to_string(f.module.index));
        },
        std::string("throw 0")).as_task(); // the handler's temporary is gone after this line
    t.handle().resume();
    ex.run();
    REQUIRE(t.done());
    CHECK(t.result().failed());
    CHECK(seen == std::vector<std::string>{"h0"});
  }
  SECTION("first_result: the first answer after a suspended module's nothing") {
    const auto old = run(ex, hooks::dispatch<&async_rules::expired>(std::string("@old")));
    REQUIRE(old.has_value());
    CHECK(*old == true);
    CHECK(old.decided_by()->index == 2);
  }
  SECTION("a callback no module implements completes at once with the policy's empty result") {
    const auto none = run(ex, hooks::dispatch<&async_rules::notify>(std::string("x")));
    CHECK(none.failure_count() == 0);
  }
}

// A by-value parameter is, for each module, a copy the dispatch keeps until that module's
// task completes: a coroutine may take it by reference (or as `auto&&`) and read it after
// suspending. ASan reports a use after free if the copy is the invoker's.
namespace by_value {

struct rooms {
  MODHOOK_CALLBACKS(rooms, (check, modhook::all_must_pass, modhook::task<bool>(std::string room)));
};
executor ex;
std::vector<std::string> seen;

modhook::task<bool> by_reference(const std::string& room) {
  co_await ex.yield();
  seen.push_back("ref " + room);
  co_return true;
}
constexpr rooms static_module{.check = modhook::bind<&by_reference>()}; // (not the exact signature: bound)

} // namespace by_value

TEST_CASE("a coroutine may take a by-value argument by reference: the dispatch keeps each module's copy") {
  using namespace by_value;
  modhook::registry<rooms> hooks;
  REQUIRE(hooks.load("ref", [](auto& api) { (void)api.register_callbacks(rooms{.check = &by_reference}); }));
  REQUIRE(hooks.load("generic", [](auto& api) {
    (void)api.register_callbacks(rooms{.check = [](auto&& room) -> modhook::task<bool> {
      co_await ex.yield();
      seen.push_back("generic " + room);
      room += " (edited)"; // this module's copy: the next module sees the argument as it is
      co_return true;
    }});
  }));
  REQUIRE(hooks.load("value", [](auto& api) {
    (void)api.register_callbacks(rooms{.check = [](std::string room) -> modhook::task<bool> {
      co_await ex.yield();
      seen.push_back("value " + room);
      co_return true;
    }});
  }));
  hooks.seal();
  seen.clear();
  std::string room = "!a-room-name-longer-than-any-small-string-buffer:example.org";
  const auto v = run(ex, hooks.dispatch<&rooms::check>(room));
  CHECK(v.passed());
  CHECK(seen == std::vector<std::string>{"ref " + room, "generic " + room, "value " + room});

  seen.clear();
  using static_hooks = modhook::static_registry<static_module>;
  const auto s = run(ex, static_hooks::dispatch<&rooms::check>(room));
  CHECK(s.passed());
  CHECK(seen == std::vector<std::string>{"ref " + room});
}

namespace views {

struct texts {
  MODHOOK_CALLBACKS(texts, (check, modhook::all_must_pass, modhook::task<bool>(std::string_view text)),
                           (check_ref, modhook::all_must_pass, modhook::task<bool>(const std::string_view& text)));
};
executor ex;
std::vector<std::string> seen;

} // namespace views

TEST_CASE("an rvalue converted to a view is kept by the dispatch: a dispatch awaited later reads no dead temporary") {
  using namespace views;
  modhook::registry<texts> hooks;
  for (const char* name : {"first", "second"}) {
    REQUIRE(hooks.load(name, [name](auto& api) {
      (void)api.register_callbacks(texts{.check = [name](std::string_view text) -> modhook::task<bool> {
                                           co_await ex.yield();
                                           seen.push_back(std::string(name) + " " + std::string(text));
                                           co_return true;
                                         },
                                         .check_ref = [name](const std::string_view& text) -> modhook::task<bool> {
                                           co_await ex.yield();
                                           seen.push_back(std::string(name) + " ref " + std::string(text));
                                           co_return true;
                                         }});
    }));
  }
  hooks.seal();
  seen.clear();
  const std::string long_text(64, 'x'); // beyond any small-string buffer: ASan sees a dead one
  auto kept = hooks.dispatch<&texts::check>(std::string(long_text));       // the temporary is gone after this line
  auto kept_ref = hooks.dispatch<&texts::check_ref>(std::string(long_text)); // so is this one
  CHECK(run(ex, std::move(kept)).passed());
  CHECK(run(ex, std::move(kept_ref)).passed());
  CHECK(seen == std::vector<std::string>{"first " + long_text, "second " + long_text, "first ref " + long_text,
                                         "second ref " + long_text});
}

namespace pointers {

struct rules {
  MODHOOK_CALLBACKS(rules, (check, modhook::all_must_pass, modhook::task<bool>(std::string room)));
};
bool plain_noexcept(std::string room) noexcept { return room != "!spam"; }
modhook::task<bool> coroutine_noexcept(std::string room) noexcept { co_return room != "!bad"; }
constexpr rules static_a{.check = &plain_noexcept}; // noexcept functions, in a constexpr module
constexpr rules static_b{.check = &coroutine_noexcept};
executor ex;

} // namespace pointers

TEST_CASE("function pointers in an asynchronous slot: a null one is unset, a noexcept one is a constant") {
  using namespace pointers;
  modhook::task<bool> (*null_other_declaration)(const std::string&) = nullptr;
  modhook::task<bool> (*null_noexcept)(std::string) noexcept = nullptr;
  bool (*null_plain)(std::string) = nullptr;
  modhook::registry<rules> hooks;
  REQUIRE(hooks.load("nulls", [&](auto& api) {
    (void)api.register_callbacks(rules{.check = null_other_declaration});
    (void)api.register_callbacks(rules{.check = null_noexcept});
    (void)api.register_callbacks(rules{.check = null_plain});
  }));
  REQUIRE(hooks.load("real", [](auto& api) { (void)api.register_callbacks(rules{.check = &plain_noexcept}); }));
  hooks.seal();
  CHECK(hooks.implementation_count<&rules::check>() == 1);
  const auto v = run(ex, hooks.dispatch<&rules::check>(std::string("!spam")));
  CHECK(v.rejected());
  CHECK(v.decided_by()->name == "real");

  using static_hooks = modhook::static_registry<static_a, static_b>;
  const auto bad = run(ex, static_hooks::dispatch<&rules::check>(std::string("!bad")));
  CHECK(bad.rejected());
  CHECK(bad.decided_by()->index == 1);
}

// A host coroutine type of its own, without await_transform: it awaits a dispatch as it
// awaits any awaitable. It runs eagerly and keeps its result.
struct eager {
  struct promise_type {
    std::optional<bool> passed;
    eager get_return_object() { return {std::coroutine_handle<promise_type>::from_promise(*this)}; }
    std::suspend_never initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }
    void return_value(bool v) { passed = v; }
    void unhandled_exception() { throw; }
  };
  std::coroutine_handle<promise_type> handle;
  ~eager() { handle.destroy(); }
};
eager host_awaiting(const modhook::registry<async_rules>& hooks, std::string s) {
  co_return (co_await hooks.dispatch<&async_rules::check>(std::move(s))).passed();
}

TEST_CASE("a dispatch of plain callables completes inline, and one coroutine among them makes it suspend") {
  executor ex;
  modhook::registry<async_rules> hooks;
  REQUIRE(hooks.load("p", [](auto& api) {
    (void)api.register_callbacks(async_rules{.check = [](const std::string& s) {
      trace.push_back("p plain");
      return s != "deny p";
    }});
  }));
  suspending c{ex, "c"};
  // A module that registers a coroutine and then fails to load: nothing of it stays, so the
  // dispatch stays frameless.
  CHECK_FALSE(hooks.load("broken", [&](auto& api) {
    (void)api.register_callbacks(async_rules{.check = modhook::bind<&suspending::check>(c)});
    throw std::runtime_error("broken module");
  }));
  hooks.seal();
  trace.clear();
  {
    auto d = hooks.dispatch<&async_rules::check>(std::string("deny p"));
    CHECK(trace.empty()); // lazy: nothing runs before it is awaited
    CHECK(d.await_ready());
    const auto v = d.await_resume();
    CHECK(v.rejected());
    CHECK(v.decided_by()->name == "p");
    CHECK(trace == std::vector<std::string>{"p plain"});
  }
  trace.clear();
  eager inline_host = host_awaiting(hooks, "ok");
  REQUIRE(inline_host.handle.done()); // never suspended
  CHECK(inline_host.handle.promise().passed == true);

  modhook::registry<async_rules> mixed;
  REQUIRE(mixed.load("p", [](auto& api) { (void)api.register_callbacks(async_rules{.check = [](const std::string&) { return true; }}); }));
  REQUIRE(mixed.load("c", [&](auto& api) { (void)api.register_callbacks(async_rules{.check = modhook::bind<&suspending::check>(c)}); }));
  mixed.seal();
  CHECK_FALSE(mixed.dispatch<&async_rules::check>(std::string("ok")).await_ready());
  trace.clear();
  eager suspended_host = host_awaiting(mixed, "deny c");
  CHECK_FALSE(suspended_host.handle.done()); // c is suspended
  ex.run();
  REQUIRE(suspended_host.handle.done());
  CHECK(suspended_host.handle.promise().passed == false);
  CHECK(trace == std::vector<std::string>{"c starts", "c resumes"});
}

namespace static_modules {
struct other_rules { // another category, listed in the same static registry
  MODHOOK_CALLBACKS(other_rules, (check, modhook::all_must_pass, modhook::task<bool>(int)));
};
bool other_check(int) { return false; }
constexpr other_rules other{.check = &other_check};
constexpr async_rules plain_module{.check = &plain_check};
} // namespace static_modules

TEST_CASE("a static registry's dispatch is ready at compile time when no module gives a coroutine") {
  using namespace static_modules;
  using plain_hooks = modhook::static_registry<other, plain_module, one>;
  trace.clear();
  auto d = plain_hooks::dispatch<&async_rules::check>(std::string("deny 2"));
  CHECK(d.await_ready());
  const auto v = d.await_resume();
  CHECK(v.rejected());
  CHECK(v.decided_by()->index == 1);
  CHECK(trace == std::vector<std::string>{"2 plain"});
  CHECK_FALSE(hooks::dispatch<&async_rules::check>(std::string("ok")).await_ready()); // zero is a coroutine
  using mixed_hooks = modhook::static_registry<zero, other, plain_module>; // and of two categories
  CHECK_FALSE(mixed_hooks::dispatch<&async_rules::check>(std::string("ok")).await_ready());
  CHECK(mixed_hooks::dispatch<&other_rules::check>(1).await_ready());
}

namespace {

// A value that counts its live instances: every one a task returns must be destroyed.
struct tracked_value {
  static inline int live = 0;
  int value;
  explicit tracked_value(int v) noexcept : value(v) { ++live; }
  tracked_value(const tracked_value& other) noexcept : value(other.value) { ++live; }
  tracked_value(tracked_value&& other) noexcept : value(other.value) { ++live; }
  tracked_value& operator=(const tracked_value&) = default;
  tracked_value& operator=(tracked_value&&) = default;
  ~tracked_value() { --live; }
};

struct starting_rules {
  MODHOOK_CALLBACKS(starting_rules,
    (check, modhook::all_must_pass, modhook::task<bool>(int)),
    (notify, modhook::run_all, modhook::task<void>(int)),
    (lookup, modhook::first_result, modhook::task<std::optional<tracked_value>>(int)));
};

// Returns the callback's task type, but throws before it has one: no coroutine frame exists.
modhook::task<bool> throws_before_its_task(int) { throw std::runtime_error("no task"); }
modhook::task<void> throws_before_its_void_task(int) { throw std::runtime_error("no task"); }

modhook::task<std::optional<tracked_value>> answers(executor& ex, int x) {
  co_await ex.yield();
  co_return tracked_value(x);
}

} // namespace

TEST_CASE("an implementation that throws while its task is started is that module's failure, by the policy") {
  executor ex;
  modhook::registry<starting_rules> hooks;
  int later = 0; // calls of the module after the one that threw
  REQUIRE(hooks.load("starter", [](auto& api) {
    (void)api.register_callbacks(
        starting_rules{.check = &throws_before_its_task, .notify = &throws_before_its_void_task});
  }));
  REQUIRE(hooks.load("later", [&](auto& api) {
    (void)api.register_callbacks(starting_rules{.check = [&](int) -> modhook::task<bool> {
                                                  ++later;
                                                  co_return true;
                                                },
                                                .notify = [&](int) -> modhook::task<void> {
                                                  ++later;
                                                  co_return;
                                                }});
  }));
  std::vector<std::string> failed;
  REQUIRE(hooks.on_failure([&](const modhook::failure<>& f) noexcept { failed.emplace_back(f.module.name); }));
  hooks.seal();

  SECTION("fail closed: the dispatch stops there") {
    const auto verdict = run(ex, hooks.dispatch<&starting_rules::check>(1));
    CHECK(verdict.failed());
    REQUIRE(verdict.decided_by());
    CHECK(verdict.decided_by()->name == "starter");
    CHECK(verdict.failure_count() == 1);
    CHECK_THROWS_WITH(verdict.deciding_failure().rethrow_if_thrown(), "no task");
    CHECK(later == 0);
    CHECK(failed == std::vector<std::string>{"starter"});
  }
  SECTION("run_all: reported, and the next module still runs") {
    const auto done = run(ex, hooks.dispatch<&starting_rules::notify>(1));
    CHECK(done.failure_count() == 1);
    CHECK(later == 1);
    CHECK(failed == std::vector<std::string>{"starter"});
  }
}

TEST_CASE("every value a task returns is destroyed, answered or not") {
  executor ex;
  modhook::registry<starting_rules> hooks;
  REQUIRE(hooks.load("first", [&](auto& api) {
    (void)api.register_callbacks(
        starting_rules{.lookup = [&](int x) { return answers(ex, x); }});
  }));
  REQUIRE(hooks.load("second", [&](auto& api) {
    (void)api.register_callbacks(
        starting_rules{.lookup = [&](int x) { return answers(ex, x + 1); }});
  }));
  hooks.seal();
  tracked_value::live = 0;
  {
    const auto answer = run(ex, hooks.dispatch<&starting_rules::lookup>(7));
    REQUIRE(answer.has_value());
    CHECK(answer->value == 7);
    CHECK(answer.decided_by()->name == "first");
    CHECK(tracked_value::live == 1); // the answer itself
  }
  CHECK(tracked_value::live == 0);
}
