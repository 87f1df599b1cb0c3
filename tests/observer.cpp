// Observers (modhook::observed_by): every module call of every dispatch is told, with the
// outcome as the policy classified it, checked against a model over random modules for each
// built-in policy (stop early, fail open, fail closed), on the run-time and the live
// registries, synchronous and asynchronous; tokens; observers that declare less; and the
// shipped modhook::call_stats.

#include <modhook/call_stats.hpp>
#include <modhook/live_registry.hpp>
#include <modhook/registry.hpp>
#include <modhook/task.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

enum class act { pass, decide, fail_throw, fail_error };

struct checks {
  MODHOOK_CALLBACKS(checks,
    (closed, modhook::all_must_pass, modhook::expected<bool, int>(int)),
    (open, modhook::all_must_pass_fail_open, modhook::expected<bool, int>(int)),
    // (Not expected<std::optional<int>, int>: libc++ 16's std::expected loses has_value() for
    // a value with tail padding, such as an optional, constructed by a conversion in a return.)
    (answer, modhook::first_result, std::optional<int>(int)),
    (first_failure, modhook::first_exception, modhook::expected<void, int>(int)),
    (every, modhook::run_all, modhook::expected<void, int>(int)),
    (later, modhook::all_must_pass, modhook::task<bool>(int)));
};

// What the observer heard, as text: "call m", "return m passed|decided|failed[: what]".
struct recorder {
  std::vector<std::string> heard;
  std::size_t next_token = 0;
  std::size_t on_call(const modhook::module_call& c) noexcept {
    heard.push_back("call " + std::string(c.module.name) + " " + std::string(c.callback.name));
    return next_token++;
  }
  void on_return(const modhook::module_call& c, std::size_t& token, modhook::call_outcome o,
                 const modhook::failure<>* f) noexcept {
    static const char* const names[] = {"passed", "decided", "failed"};
    std::string line = "return " + std::string(c.module.name) + " " + names[static_cast<int>(o)];
    if (f != nullptr) {
      line += f->threw() ? ": threw" : ": error";
      CHECK(f->module.name == c.module.name);
    }
    // The token on_call gave this call: calls do not nest here, so it is the last one given.
    CHECK(token + 1 == next_token);
    heard.push_back(line);
  }
};

// Module i's answer to every callback, by its act.
template <class Api>
void register_acting(Api& api, act a) {
  const auto verdict = [a](int) -> modhook::expected<bool, int> {
    if (a == act::fail_throw) throw std::runtime_error("module threw");
    if (a == act::fail_error) return modhook::unexpected(7);
    return a == act::pass;
  };
  const auto found = [a](int x) -> std::optional<int> { // (an optional has no error value: it throws)
    if (a == act::fail_throw || a == act::fail_error) throw std::runtime_error("module threw");
    return a == act::decide ? std::optional<int>(x) : std::nullopt;
  };
  const auto done = [a](int) -> modhook::expected<void, int> {
    if (a == act::fail_throw) throw std::runtime_error("module threw");
    if (a == act::fail_error) return modhook::unexpected(7);
    return {};
  };
  REQUIRE(api.register_callbacks(
      checks{.closed = verdict, .open = verdict, .answer = found, .first_failure = done, .every = done}));
}

// The model: each module in order is called and returns; a decided value stops the dispatch,
// and a failure does too unless the policy goes on past failures.
std::vector<std::string> model(const std::vector<act>& acts, const char* callback, bool decides,
                               bool stops_on_failure, bool errors_throw = false) {
  std::vector<std::string> heard;
  for (std::size_t i = 0; i < acts.size(); ++i) {
    const std::string name = "m" + std::to_string(i);
    heard.push_back("call " + name + " " + callback);
    const act a = acts[i];
    if (a == act::fail_throw || a == act::fail_error) {
      heard.push_back("return " + name + (a == act::fail_throw || errors_throw ? " failed: threw" : " failed: error"));
      if (stops_on_failure) break;
    } else if (a == act::decide && decides) {
      heard.push_back("return " + name + " decided");
      break;
    } else {
      heard.push_back("return " + name + " passed");
    }
  }
  return heard;
}

template <class Hooks>
void check_against_model(std::uint32_t seed) {
  std::mt19937 random(seed);
  for (int round = 0; round < 200; ++round) {
    const std::size_t count = random() % 5;
    std::vector<act> acts;
    for (std::size_t i = 0; i < count; ++i) acts.push_back(static_cast<act>(random() % 4));
    Hooks h;
    for (std::size_t i = 0; i < count; ++i)
      REQUIRE(h.load("m" + std::to_string(i), [&](typename Hooks::api& api) { register_acting(api, acts[i]); }));
    if constexpr (requires { h.seal(); }) h.seal();
    auto& heard = h.observer().heard;
    INFO("round " << round);

    heard.clear();
    const auto closed = h.template dispatch<&checks::closed>(1);
    CHECK(heard == model(acts, "closed", true, true));
    heard.clear();
    const auto open = h.template dispatch<&checks::open>(1);
    CHECK(heard == model(acts, "open", true, false));
    heard.clear();
    const auto answer = h.template dispatch<&checks::answer>(1);
    CHECK(heard == model(acts, "answer", true, true, true));
    heard.clear();
    const auto first = h.template dispatch<&checks::first_failure>(1);
    CHECK(heard == model(acts, "first_failure", false, true));
    heard.clear();
    const auto every = h.template dispatch<&checks::every>(1);
    CHECK(heard == model(acts, "every", false, false));

    // Telling the observer changes no result: the same as an unobserved registry's.
    modhook::registry<checks> plain;
    for (std::size_t i = 0; i < count; ++i)
      REQUIRE(plain.load("m" + std::to_string(i), [&](modhook::registry<checks>::api& api) { register_acting(api, acts[i]); }));
    plain.seal();
    const auto closed_plain = plain.dispatch<&checks::closed>(1);
    CHECK(closed.passed() == closed_plain.passed());
    CHECK(closed.failed() == closed_plain.failed());
    CHECK(closed.decided_by() == closed_plain.decided_by());
    const auto open_plain = plain.dispatch<&checks::open>(1);
    CHECK(open.passed() == open_plain.passed());
    CHECK(open.failure_count() == open_plain.failure_count());
    const auto answer_plain = plain.dispatch<&checks::answer>(1);
    CHECK(answer.has_value() == answer_plain.has_value());
    CHECK(answer.decided_by() == answer_plain.decided_by());
    CHECK(first.failure_count() == plain.dispatch<&checks::first_failure>(1).failure_count());
    CHECK(every.failure_count() == plain.dispatch<&checks::every>(1).failure_count());
  }
}

} // namespace

TEST_CASE("observer: a registry tells every call and its outcome, as the model says, for every policy") {
  check_against_model<modhook::registry<modhook::observed_by<recorder>, checks>>(1);
}

TEST_CASE("observer: a live registry tells every call and its outcome, as the model says, for every policy") {
  check_against_model<modhook::live_registry<modhook::observed_by<recorder>, checks>>(2);
}

namespace {
modhook::task<bool> later_coroutine(int x) {
  if (x == 3) throw std::runtime_error("coroutine threw");
  co_return x != 2;
}
modhook::task<bool> run_later(const modhook::registry<modhook::observed_by<recorder>, checks>& h, int x) {
  co_return (co_await h.dispatch<&checks::later>(x)).passed();
}
} // namespace

TEST_CASE("observer: an asynchronous dispatch tells each call, a coroutine's when its task completes") {
  using hooks = modhook::registry<modhook::observed_by<recorder>, checks>;
  hooks h;
  REQUIRE(h.load("plain", [](hooks::api& api) { REQUIRE(api.register_callbacks(checks{.later = [](int) { return true; }})); }));
  REQUIRE(h.load("coroutine", [](hooks::api& api) { REQUIRE(api.register_callbacks(checks{.later = &later_coroutine})); }));
  REQUIRE(h.load("after", [](hooks::api& api) { REQUIRE(api.register_callbacks(checks{.later = [](int x) { return x != 1; }})); }));
  h.seal();
  auto& heard = h.observer().heard;
  const auto run = [&](int x) {
    heard.clear();
    auto t = run_later(h, x);
    t.handle().resume();
    REQUIRE(t.done());
    return t.result();
  };
  CHECK(run(1) == false);
  CHECK(heard == std::vector<std::string>{"call plain later", "return plain passed", "call coroutine later",
                                          "return coroutine passed", "call after later", "return after decided"});
  CHECK(run(2) == false);
  CHECK(heard == std::vector<std::string>{"call plain later", "return plain passed", "call coroutine later",
                                          "return coroutine decided"});
  CHECK(run(3) == false);
  CHECK(heard == std::vector<std::string>{"call plain later", "return plain passed", "call coroutine later",
                                          "return coroutine failed: threw"});
}

namespace {
// Declares on_return alone, without a token.
struct outcomes_only {
  std::vector<modhook::call_outcome> seen;
  void on_return(const modhook::module_call&, modhook::call_outcome o, const modhook::failure<>*) noexcept {
    seen.push_back(o);
  }
};
// Declares on_call alone, returning nothing.
struct calls_only {
  int calls = 0;
  void on_call(const modhook::module_call&) noexcept { ++calls; }
};
template <class Registry>
concept has_observer = requires(Registry& r) { r.observer(); };
} // namespace

TEST_CASE("observer: an observer may declare only the events it wants") {
  modhook::registry<modhook::observed_by<outcomes_only>, checks> a;
  modhook::registry<checks, modhook::observed_by<calls_only>> b; // (an option may come anywhere in the list)
  for (int i = 0; i < 2; ++i) {
    REQUIRE(a.load("m" + std::to_string(i), [&](auto& api) { register_acting(api, i == 0 ? act::pass : act::decide); }));
    REQUIRE(b.load("m" + std::to_string(i), [&](auto& api) { register_acting(api, act::pass); }));
  }
  a.seal();
  b.seal();
  CHECK(a.dispatch<&checks::closed>(1).rejected());
  CHECK(a.observer().seen == std::vector<modhook::call_outcome>{modhook::call_outcome::passed, modhook::call_outcome::decided});
  b.dispatch<&checks::every>(1);
  CHECK(b.observer().calls == 2);
  STATIC_REQUIRE(std::is_void_v<modhook::registry<checks>::observer_type>);
  STATIC_REQUIRE_FALSE(has_observer<modhook::registry<checks>>);
  STATIC_REQUIRE(has_observer<modhook::registry<checks, modhook::observed_by<calls_only>>>);
}

TEST_CASE("observer: call_stats counts each module's calls of each callback, by outcome and latency") {
  using hooks = modhook::registry<modhook::observed_by<modhook::call_stats>, checks>;
  hooks h;
  REQUIRE(h.load("passes", [](hooks::api& api) { register_acting(api, act::pass); }));
  REQUIRE(h.load("fails", [](hooks::api& api) { register_acting(api, act::fail_error); }));
  REQUIRE(h.load("decides", [](hooks::api& api) { register_acting(api, act::decide); }));
  h.seal();
  constexpr int per_thread = 500;
  const auto work = [&] {
    for (int i = 0; i < per_thread; ++i) {
      (void)h.dispatch<&checks::open>(i);   // passes, fails (skipped), decides
      (void)h.dispatch<&checks::closed>(i); // passes, fails: stops
    }
  };
  std::thread other(work);
  work();
  other.join();
  const auto rows = h.observer().snapshot();
  REQUIRE(rows.size() == 5);
  const auto find = [&](std::string_view module, std::string_view callback) {
    for (const auto& r : rows)
      if (r.module == module && r.callback == callback) return r;
    FAIL("no row for " << module << " " << callback);
    return rows.front();
  };
  constexpr std::uint64_t n = 2 * per_thread;
  const auto passes_open = find("passes", "open");
  CHECK(passes_open.category == "checks");
  CHECK(passes_open.passed == n);
  CHECK(passes_open.decided + passes_open.failed == 0);
  CHECK(find("fails", "open").failed == n);
  CHECK(find("decides", "open").decided == n);
  CHECK(find("passes", "closed").passed == n);
  CHECK(find("fails", "closed").failed == n);
  for (const auto& r : rows) { // every call is in one latency bucket
    std::uint64_t bucketed = 0;
    for (const auto count : r.latency) bucketed += count;
    CHECK(bucketed == r.calls());
  }
  // Ordered by module, then category, then callback.
  CHECK(rows[0].module == "decides");
  CHECK(rows[1].module == "fails");
  CHECK(rows[1].callback == "closed");
  CHECK(rows[2].callback == "open");
}

TEST_CASE("observer: call_stats puts a latency in the first bucket whose bound it does not exceed") {
  using stats = modhook::call_stats;
  STATIC_REQUIRE(stats::bucket_of(0) == 0);
  STATIC_REQUIRE(stats::bucket_of(1'000) == 0);
  STATIC_REQUIRE(stats::bucket_of(1'001) == 1);
  STATIC_REQUIRE(stats::bucket_of(4'000) == 1);
  STATIC_REQUIRE(stats::bucket_of(4'001) == 2);
  STATIC_REQUIRE(stats::bucket_of(1'048'576'000) == stats::bounds_ns.size() - 1);
  STATIC_REQUIRE(stats::bucket_of(1'048'576'001) == stats::bounds_ns.size());
  // The total is the calls' latencies added up: one module that sleeps 2 ms a call.
  modhook::registry<modhook::observed_by<stats>, checks> h;
  REQUIRE(h.load("slow", [](auto& api) {
    REQUIRE(api.register_callbacks(checks{.every = [](int) -> modhook::expected<void, int> {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      return {};
    }}));
  }));
  h.seal();
  for (int i = 0; i < 3; ++i) h.dispatch<&checks::every>(i);
  const auto rows = h.observer().snapshot();
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].passed == 3);
  CHECK(rows[0].total_ns >= 6'000'000);
  CHECK(rows[0].latency[stats::bucket_of(2'000'000)] + rows[0].latency[stats::bucket_of(2'000'000) + 1] +
            rows[0].latency[stats::bucket_of(2'000'000) + 2] == 3);
}

namespace {
modhook::task<bool> run_live_later(const modhook::live_registry<modhook::observed_by<recorder>, checks>& h, int x) {
  co_return (co_await h.dispatch<&checks::later>(x)).passed();
}
} // namespace

TEST_CASE("observer: a live registry's asynchronous dispatch tells each call too") {
  using hooks = modhook::live_registry<modhook::observed_by<recorder>, checks>;
  hooks h;
  REQUIRE(h.load("coroutine", [](hooks::api& api) { REQUIRE(api.register_callbacks(checks{.later = &later_coroutine})); }));
  REQUIRE(h.load("plain", [](hooks::api& api) { REQUIRE(api.register_callbacks(checks{.later = [](int) { return false; }})); }));
  auto t = run_live_later(h, 1);
  t.handle().resume();
  REQUIRE(t.done());
  CHECK_FALSE(t.result());
  CHECK(h.observer().heard == std::vector<std::string>{"call coroutine later", "return coroutine passed",
                                                       "call plain later", "return plain decided"});
}
