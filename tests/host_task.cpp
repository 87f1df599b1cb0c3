// A host's own coroutine type as a task type: only its modhook::task_traits specialization is
// needed (no header of modhook's besides the registry's). Without `awaits_any`, a dispatch is
// a coroutine of the host's type; with it, a dispatch is modhook's own awaitable, which a
// coroutine of the host's type awaits, or which becomes one with as_task().

#include <modhook/modhook.hpp>
#include <modhook/task_traits.hpp>

#include <catch2/catch.hpp>

#include <coroutine>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace {

// A minimal lazy task of the host's: it starts when awaited (or resumed by hand), and resumes
// its awaiter when it ends. `Tag` makes two distinct types of it.
template <class T, int Tag>
class host_task {
public:
  struct promise_type {
    std::optional<T> value;
    std::exception_ptr error;
    std::coroutine_handle<> continuation = std::noop_coroutine();

    host_task get_return_object() { return host_task(std::coroutine_handle<promise_type>::from_promise(*this)); }
    std::suspend_always initial_suspend() noexcept { return {}; }
    struct final_awaiter {
      bool await_ready() noexcept { return false; }
      std::coroutine_handle<> await_suspend(std::coroutine_handle<promise_type> done) noexcept {
        return done.promise().continuation;
      }
      void await_resume() noexcept {}
    };
    final_awaiter final_suspend() noexcept { return {}; }
    template <class U>
    void return_value(U&& v) {
      value.emplace(std::forward<U>(v));
    }
    void unhandled_exception() { error = std::current_exception(); }
  };

  explicit host_task(std::coroutine_handle<promise_type> h) : handle_(h) {}
  host_task(host_task&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  ~host_task() {
    if (handle_) handle_.destroy();
  }
  // What task_traits' awaits_any asks of a task type besides: empty when default-constructed,
  // tested with operator bool, move-assigned, and result() of one that is done.
  host_task() = default;
  host_task& operator=(host_task&& other) noexcept {
    std::swap(handle_, other.handle_);
    return *this;
  }
  explicit operator bool() const noexcept { return static_cast<bool>(handle_); }
  T result() {
    if (handle_.promise().error) std::rethrow_exception(handle_.promise().error);
    return std::move(*handle_.promise().value);
  }

  auto operator co_await() && noexcept {
    struct awaiter {
      std::coroutine_handle<promise_type> handle;
      bool await_ready() noexcept { return false; }
      std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiting) noexcept {
        handle.promise().continuation = awaiting;
        return handle;
      }
      T await_resume() {
        if (handle.promise().error) std::rethrow_exception(handle.promise().error);
        return std::move(*handle.promise().value);
      }
    };
    return awaiter{handle_};
  }

  // Runs it to its end on this thread (it never suspends on anything else here).
  T run() && {
    handle_.resume();
    REQUIRE(handle_.done());
    if (handle_.promise().error) std::rethrow_exception(handle_.promise().error);
    return std::move(*handle_.promise().value);
  }

private:
  std::coroutine_handle<promise_type> handle_ = nullptr;
};

template <class T>
using plain_task = host_task<T, 0>; // a coroutine of it awaits only its own kind, say
template <class T>
using any_task = host_task<T, 1>; // a coroutine of it awaits any awaitable

} // namespace

template <class T>
struct modhook::task_traits<plain_task<T>> {
  using value_type = T;
  template <class U>
  using rebind = plain_task<U>;
};
template <class T>
struct modhook::task_traits<any_task<T>> {
  using value_type = T;
  template <class U>
  using rebind = any_task<U>;
  static constexpr bool awaits_any = true;
};

namespace {

struct host_rules {
  MODHOOK_CALLBACKS(host_rules,
    (check, modhook::all_must_pass, plain_task<bool>(const std::string&)),
    (check_any, modhook::all_must_pass, any_task<bool>(const std::string&)));
};
using host_hooks = modhook::registry<host_rules>;

std::vector<std::string> calls;

plain_task<bool> plain_check(const std::string& s) {
  calls.push_back("coroutine " + s);
  if (s == "throw") throw std::runtime_error("module failed");
  co_return s != "deny";
}
any_task<bool> any_check(const std::string& s) {
  calls.push_back("coroutine " + s);
  co_return s != "deny";
}

} // namespace

TEST_CASE("a host's own task type: a dispatch is a coroutine of it, with the policies' rules") {
  host_hooks hooks;
  REQUIRE(hooks.load("coroutine", [](host_hooks::api& api) {
    (void)api.register_callbacks(host_rules{.check = &plain_check});
  }));
  REQUIRE(hooks.load("plain", [](host_hooks::api& api) {
    (void)api.register_callbacks(host_rules{.check = [](const std::string& s) {
      calls.push_back("plain " + s);
      return s != "deny plain";
    }});
  }));
  hooks.seal();
  calls.clear();

  plain_task<modhook::verdict<bool, void>> dispatch = hooks.dispatch<&host_rules::check>(std::string("ok"));
  CHECK(calls.empty()); // lazy
  auto verdict = std::move(dispatch).run();
  CHECK(verdict.passed());
  CHECK(calls == std::vector<std::string>{"coroutine ok", "plain ok"});

  calls.clear();
  verdict = hooks.dispatch<&host_rules::check>(std::string("deny")).run();
  CHECK(verdict.rejected());
  CHECK(verdict.decided_by()->name == "coroutine");
  CHECK(calls == std::vector<std::string>{"coroutine deny"});

  calls.clear();
  verdict = hooks.dispatch<&host_rules::check>(std::string("throw")).run();
  CHECK(verdict.failed());
  CHECK(verdict.decided_by()->name == "coroutine");
  CHECK(calls == std::vector<std::string>{"coroutine throw"});
}

TEST_CASE("a host's own task type that awaits any awaitable: a dispatch is modhook's awaitable") {
  host_hooks hooks;
  REQUIRE(hooks.load("plain", [](host_hooks::api& api) {
    (void)api.register_callbacks(host_rules{.check_any = [](const std::string& s) { return s != "deny plain"; }});
  }));
  SECTION("plain callables only: ready at once, no coroutine of the driver") {
    hooks.seal();
    auto dispatch = hooks.dispatch<&host_rules::check_any>(std::string("deny plain"));
    REQUIRE(dispatch.await_ready());
    CHECK(dispatch.await_resume().rejected());
  }
  SECTION("a coroutine among them: as_task() gives the host's task") {
    REQUIRE(hooks.load("coroutine", [](host_hooks::api& api) {
      (void)api.register_callbacks(host_rules{.check_any = &any_check});
    }));
    hooks.seal();
    calls.clear();
    any_task<modhook::verdict<bool, void>> task = hooks.dispatch<&host_rules::check_any>(std::string("deny")).as_task();
    const auto verdict = std::move(task).run();
    CHECK(verdict.rejected());
    CHECK(verdict.decided_by()->name == "coroutine");
    CHECK(calls == std::vector<std::string>{"coroutine deny"});
  }
}

TEST_CASE("a host's own task type on the live registry: a dispatch keeps the modules it began with") {
  using live_hooks = modhook::live_registry<host_rules>;
  live_hooks hooks;
  REQUIRE(hooks.load("coroutine", [](live_hooks::api& api) {
    (void)api.register_callbacks(host_rules{.check = &plain_check});
  }));
  calls.clear();
  auto dispatch = hooks.dispatch<&host_rules::check>(std::string("deny")); // lazy: not started
  REQUIRE(hooks.unload("coroutine"));
  CHECK(hooks.implementation_count<&host_rules::check>() == 0);
  const auto verdict = std::move(dispatch).run();
  CHECK(verdict.rejected()); // the module it began with decided
  CHECK(verdict.decided_by()->name == "coroutine");
  CHECK(calls == std::vector<std::string>{"coroutine deny"});
  calls.clear();
  CHECK(hooks.dispatch<&host_rules::check>(std::string("deny")).run().passed()); // a dispatch begun since
  CHECK(calls.empty());
}
