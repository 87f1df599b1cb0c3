// Asynchronous callbacks whose task type is Boost.Asio's awaitable: an Asio host co_awaits
// the dispatch from its own coroutine; modules are Asio coroutines that wait on a timer, or
// plain callables.

#include <modhook/asio.hpp>
#include <modhook/modhook.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace asio = boost::asio;

namespace {

struct asio_rules {
  MODHOOK_CALLBACKS(asio_rules,
    (check, modhook::all_must_pass, asio::awaitable<bool>(const std::string&)),
    (notify, modhook::run_all, asio::awaitable<void>(const std::string&)));
};

std::vector<std::string> trace;

asio::awaitable<void> short_wait() {
  asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::milliseconds(1));
  co_await timer.async_wait(asio::use_awaitable);
}

} // namespace

TEST_CASE("an Asio host co_awaits the dispatch of awaitable callbacks, in module order") {
  modhook::registry<asio_rules> hooks;
  REQUIRE(hooks.load("timed", [](auto& api) {
    (void)api.register_callbacks(asio_rules{
        .check = [](const std::string& s) -> asio::awaitable<bool> {
          trace.push_back("timed starts");
          co_await short_wait();
          trace.push_back("timed resumes");
          co_return s != "deny timed";
        },
        .notify = [](const std::string&) -> asio::awaitable<void> {
          co_await short_wait();
          throw std::runtime_error("timed fails");
        }});
  }));
  REQUIRE(hooks.load("plain", [](auto& api) {
    (void)api.register_callbacks(asio_rules{.check =
                                                [](const std::string& s) {
                                                  trace.push_back("plain");
                                                  return s != "deny plain";
                                                },
                                            .notify = [](const std::string& s) { trace.push_back("notified " + s); }});
  }));
  hooks.seal();

  asio::io_context io;
  std::vector<std::string> results;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        const auto passed = co_await hooks.dispatch<&asio_rules::check>(std::string("ok"));
        results.push_back(passed.passed() ? "passed" : "not passed");
        const auto denied = co_await hooks.dispatch<&asio_rules::check>(std::string("deny timed"));
        results.push_back(denied.rejected() ? "rejected by " + std::string(denied.decided_by()->name) : "?");
        const auto done = co_await hooks.dispatch<&asio_rules::notify>(std::string("x"));
        results.push_back(std::to_string(done.failure_count()) + " failure from " +
                          std::string(done.first_failure()->module.name));
      },
      asio::detached);
  io.run();
  CHECK(results == std::vector<std::string>{"passed", "rejected by timed", "1 failure from timed"});
  CHECK(trace == std::vector<std::string>{"timed starts", "timed resumes", "plain", "timed starts", "timed resumes",
                                          "notified x"});
}

TEST_CASE("an io_context destroyed while a module waits destroys the dispatch: no later module starts, nothing leaks") {
  // Asio 1.18 (Boost 1.74) has no per-operation cancellation; destroying the io_context is
  // how a host abandons what its coroutines await. ASan checks that every frame is freed.
  modhook::registry<asio_rules> hooks;
  bool waited = false;
  int frames_destroyed = 0;
  struct frame_guard {
    int& destroyed;
    ~frame_guard() { ++destroyed; }
  };
  REQUIRE(hooks.load("waits", [&](auto& api) {
    (void)api.register_callbacks(asio_rules{.check = [&](const std::string&) -> asio::awaitable<bool> {
      const frame_guard guard{frames_destroyed};
      asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::hours(1));
      waited = true;
      co_await timer.async_wait(asio::use_awaitable);
      co_return true;
    }});
  }));
  bool later_started = false;
  REQUIRE(hooks.load("later", [&](auto& api) {
    (void)api.register_callbacks(asio_rules{.check = [&](const std::string&) {
      later_started = true;
      return true;
    }});
  }));
  hooks.seal();
  bool completed = false;
  {
    asio::io_context io;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          const std::string room = "!room";
          (void)co_await hooks.dispatch<&asio_rules::check>(room);
          completed = true;
        },
        asio::detached);
    io.run_for(std::chrono::milliseconds(20)); // the first module is now waiting on its timer
    CHECK(frames_destroyed == 0);
  }
  CHECK(frames_destroyed == 1); // the module's coroutine went with the io_context
  CHECK(waited);
  CHECK_FALSE(completed);
  CHECK_FALSE(later_started);
}
