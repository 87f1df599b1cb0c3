// Every policy's semantics: order, stopping early, rejection versus failure, attribution.

#include "test_categories.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

using namespace test;

namespace {

// Loads modules named m0, m1, ... each registering what `make(i, calls)` returns.
template <class Make>
void load_modules(hooks& h, int count, std::vector<int>& calls, Make make) {
  for (int i = 0; i < count; ++i) {
    auto loaded = h.load("m" + std::to_string(i),
                         [&, i](hooks::api& api) { REQUIRE(api.register_callbacks(make(i, calls))); });
    REQUIRE(loaded);
  }
  h.seal();
}

const event hello{"@alice:example.com", "hello"};

} // namespace

TEST_CASE("all_must_pass: passes when every module passes, calling all in order") {
  hooks h;
  std::vector<int> calls;
  load_modules(h, 3, calls, [](int i, std::vector<int>& c) {
    return rules{.check_event_allowed = [i, &c](const event&) { c.push_back(i); return true; }};
  });
  const auto v = h.dispatch<&rules::check_event_allowed>(hello);
  CHECK(v.passed());
  CHECK(static_cast<bool>(v));
  CHECK_FALSE(v.decided_by());
  CHECK(v.failure_count() == 0);
  CHECK(calls == std::vector<int>{0, 1, 2});
}

TEST_CASE("all_must_pass: with no module registered the answer is pass") {
  hooks h;
  h.seal();
  CHECK(h.dispatch<&rules::check_event_allowed>(hello).passed());
  CHECK(h.implementation_count<&rules::check_event_allowed>() == 0);
}

TEST_CASE("all_must_pass: the first rejection decides and later modules are not called") {
  hooks h;
  std::vector<int> calls;
  load_modules(h, 4, calls, [](int i, std::vector<int>& c) {
    return rules{.check_event_allowed = [i, &c](const event&) { c.push_back(i); return i != 1 && i != 2; }};
  });
  const auto v = h.dispatch<&rules::check_event_allowed>(hello);
  CHECK(v.rejected());
  CHECK_FALSE(v.failed());
  CHECK(v.rejection() == false);
  REQUIRE(v.decided_by());
  CHECK(v.decided_by()->name == "m1");
  CHECK(v.decided_by()->index == 1);
  CHECK(calls == std::vector<int>{0, 1});
}

TEST_CASE("all_must_pass: what passes is the result type's pass_traits") {
  hooks h;
  std::vector<int> calls;
  load_modules(h, 3, calls, [](int i, std::vector<int>& c) {
    return rules{.check_event_for_spam = [i, &c](const event&) {
      c.push_back(i);
      return i == 1 ? spam_verdict::suspicious : spam_verdict::not_spam;
    }};
  });
  const auto v = h.dispatch<&rules::check_event_for_spam>(hello);
  CHECK(v.rejected());
  CHECK(v.rejection() == spam_verdict::suspicious);
  CHECK(v.decided_by()->name == "m1");
  CHECK(calls == std::vector<int>{0, 1});
}

TEST_CASE("all_must_pass fails closed: a throwing module stops the dispatch and is a failure, not a rejection") {
  hooks h;
  std::vector<int> calls;
  std::vector<std::string> reported;
  REQUIRE(h.on_failure([&](const modhook::failure<>& f) { reported.push_back(std::string(f.module.name)); }));
  load_modules(h, 3, calls, [](int i, std::vector<int>& c) {
    return rules{.check_event_allowed = [i, &c](const event&) -> bool {
      c.push_back(i);
      if (i == 1) throw std::runtime_error("censor service down");
      return true;
    }};
  });
  const auto v = h.dispatch<&rules::check_event_allowed>(hello);
  CHECK(v.failed());
  CHECK_FALSE(v.rejected());
  CHECK_FALSE(v.passed());
  CHECK(v.decided_by()->name == "m1");
  CHECK(calls == std::vector<int>{0, 1});
  const auto& f = v.deciding_failure();
  CHECK(f.module.name == "m1");
  CHECK(f.callback == modhook::callback_ref{"rules", "check_event_allowed"});
  REQUIRE(f.threw());
  CHECK_THROWS_WITH(f.rethrow_if_thrown(), "censor service down");
  CHECK(reported == std::vector<std::string>{"m1"});
}

TEST_CASE("all_must_pass fails open: a throwing module is reported and skipped") {
  hooks h;
  std::vector<int> calls;
  std::vector<std::string> reported;
  REQUIRE(h.on_failure([&](const modhook::failure<>& f) { reported.push_back(std::string(f.module.name)); }));
  load_modules(h, 4, calls, [](int i, std::vector<int>& c) {
    return rules{.check_threepid_can_be_invited = [i, &c](const std::string&) -> bool {
      c.push_back(i);
      if (i == 0 || i == 2) throw 42; // not even a std::exception
      return true;
    }};
  });
  const auto v = h.dispatch<&rules::check_threepid_can_be_invited>(std::string("alice@example.com"));
  CHECK(v.passed());
  CHECK(v.failure_count() == 2);
  REQUIRE(v.first_failure());
  CHECK(v.first_failure()->module.name == "m0");
  CHECK(calls == std::vector<int>{0, 1, 2, 3});
  CHECK(reported == std::vector<std::string>{"m0", "m2"});
}

TEST_CASE("all_must_pass fails open but a later rejection still decides") {
  hooks h;
  std::vector<int> calls;
  load_modules(h, 3, calls, [](int i, std::vector<int>& c) {
    return rules{.check_threepid_can_be_invited = [i, &c](const std::string&) -> bool {
      c.push_back(i);
      if (i == 0) throw std::logic_error("bad");
      return i != 1;
    }};
  });
  const auto v = h.dispatch<&rules::check_threepid_can_be_invited>(std::string("x"));
  CHECK(v.rejected());
  CHECK(v.decided_by()->name == "m1");
  CHECK(v.failure_count() == 1);
  CHECK(calls == std::vector<int>{0, 1});
}

TEST_CASE("expected-returning callbacks: an unexpected value is a failure carrying the error") {
  hooks h;
  std::vector<int> calls;
  load_modules(h, 3, calls, [](int i, std::vector<int>& c) {
    return rules{.check_username = [i, &c](const std::string&) -> modhook::expected<bool, module_error> {
      c.push_back(i);
      if (i == 1) return modhook::unexpected(module_error{"database unreachable"});
      return true;
    }};
  });
  const auto v = h.dispatch<&rules::check_username>(std::string("bob"));
  CHECK(v.failed());
  CHECK(calls == std::vector<int>{0, 1});
  const auto& f = v.deciding_failure();
  CHECK_FALSE(f.threw());
  REQUIRE(f.error);
  CHECK(f.error->what == "database unreachable");
  CHECK(f.module.name == "m1");
}

TEST_CASE("expected-returning callbacks: a false value is a rejection, not a failure") {
  hooks h;
  std::vector<int> calls;
  load_modules(h, 2, calls, [](int i, std::vector<int>& c) {
    return rules{.check_username = [i, &c](const std::string&) -> modhook::expected<bool, module_error> {
      c.push_back(i);
      return i == 0;
    }};
  });
  const auto v = h.dispatch<&rules::check_username>(std::string("bob"));
  CHECK(v.rejected());
  CHECK(v.failure_count() == 0);
  CHECK(v.decided_by()->name == "m1");
}

TEST_CASE("run_all: every module is called in order, and failures are counted, reported and never stop the others") {
  hooks h;
  std::vector<int> calls;
  std::vector<std::string> reported;
  REQUIRE(h.on_failure([&](const modhook::failure<>& f) {
    reported.push_back(std::string(f.module.name) + ":" + std::string(f.callback.name));
  }));
  load_modules(h, 5, calls, [](int i, std::vector<int>& c) {
    return rules{.on_new_event = [i, &c](const event&) {
      c.push_back(i);
      if (i % 2 == 1) throw std::runtime_error("audit log full");
    }};
  });
  const auto r = h.dispatch<&rules::on_new_event>(hello);
  CHECK(r.failed());
  CHECK(r.failure_count() == 2);
  CHECK(r.decided_by()->name == "m1");
  CHECK(calls == std::vector<int>{0, 1, 2, 3, 4});
  CHECK(reported == std::vector<std::string>{"m1:on_new_event", "m3:on_new_event"});
}

TEST_CASE("run_all: with expected<void, E>, error values are failures too") {
  hooks h;
  std::vector<int> calls;
  load_modules(h, 3, calls, [](int i, std::vector<int>& c) {
    return rules{.on_bind = [i, &c](const std::string&) -> modhook::expected<void, module_error> {
      c.push_back(i);
      if (i == 2) return modhook::unexpected(module_error{"no"});
      return {};
    }};
  });
  const auto r = h.dispatch<&rules::on_bind>(std::string("alice"));
  CHECK(r.failure_count() == 1);
  CHECK(r.first_failure()->error->what == "no");
  CHECK(r.first_failure()->module.name == "m2");
  CHECK(calls == std::vector<int>{0, 1, 2});
}

TEST_CASE("run_all: ok when nothing fails or nobody is registered") {
  hooks h;
  std::vector<int> calls;
  load_modules(h, 2, calls, [](int i, std::vector<int>& c) {
    return rules{.on_new_event = [i, &c](const event&) { c.push_back(i); }};
  });
  CHECK(h.dispatch<&rules::on_new_event>(hello).ok());
  CHECK(h.dispatch<&account::on_user_registration>(std::string("x")).ok());
  CHECK(calls == std::vector<int>{0, 1});
}

TEST_CASE("first_exception: modules may modify the arguments, and the first exception stops the rest and is kept") {
  hooks h;
  std::vector<int> calls;
  load_modules(h, 4, calls, [](int i, std::vector<int>& c) {
    return rules{.on_create_room = [i, &c](std::string& request, bool is_admin) {
      c.push_back(i);
      request += std::to_string(i);
      if (i == 2 && !is_admin) throw std::invalid_argument("rooms are forbidden");
    }};
  });
  std::string request = "room:";
  const auto r = h.dispatch<&rules::on_create_room>(request, false);
  CHECK(r.failed());
  CHECK(r.failure_count() == 1);
  CHECK(r.decided_by()->name == "m2");
  CHECK(request == "room:012");
  CHECK(calls == std::vector<int>{0, 1, 2});
  CHECK_THROWS_AS(r.first_failure()->rethrow_if_thrown(), std::invalid_argument);

  calls.clear();
  request = "room:";
  CHECK(h.dispatch<&rules::on_create_room>(request, true).ok());
  CHECK(request == "room:0123");
  CHECK(calls == std::vector<int>{0, 1, 2, 3});
}

TEST_CASE("first_result: the first engaged answer wins and later modules are not called") {
  hooks h;
  std::vector<int> calls;
  load_modules(h, 4, calls, [](int i, std::vector<int>& c) {
    return rules{.is_user_expired = [i, &c](const std::string&) -> std::optional<bool> {
      c.push_back(i);
      if (i == 2) return false; // an engaged `false` is an answer too
      return std::nullopt;
    }};
  });
  const auto a = h.dispatch<&rules::is_user_expired>(std::string("@bob:example.com"));
  REQUIRE(a.has_value());
  CHECK(a.value() == false);
  CHECK(a.decided_by()->name == "m2");
  CHECK(calls == std::vector<int>{0, 1, 2});
}

TEST_CASE("first_result: nobody answers, or nobody is registered: empty") {
  hooks h;
  std::vector<int> calls;
  load_modules(h, 2, calls, [](int i, std::vector<int>& c) {
    return rules{.is_user_expired = [i, &c](const std::string&) -> std::optional<bool> {
      c.push_back(i);
      return std::nullopt;
    }};
  });
  const auto a = h.dispatch<&rules::is_user_expired>(std::string("x"));
  CHECK_FALSE(a.has_value());
  CHECK_FALSE(a.failed());
  CHECK(a.value_or(true) == true);
  CHECK_FALSE(a.decided_by());
  CHECK(calls == std::vector<int>{0, 1});
}

TEST_CASE("first_result: a failure stops the dispatch") {
  hooks h;
  std::vector<int> calls;
  load_modules(h, 3, calls, [](int i, std::vector<int>& c) {
    return rules{.is_user_expired = [i, &c](const std::string&) -> std::optional<bool> {
      c.push_back(i);
      if (i == 1) throw std::runtime_error("lookup failed");
      return std::nullopt;
    }};
  });
  const auto a = h.dispatch<&rules::is_user_expired>(std::string("x"));
  CHECK(a.failed());
  CHECK_FALSE(a.has_value());
  CHECK(a.deciding_failure().module.name == "m1");
  CHECK(calls == std::vector<int>{0, 1});
}

TEST_CASE("a user-defined policy: union of every module's set, as Synapse's presence router") {
  hooks h;
  std::vector<int> calls;
  load_modules(h, 3, calls, [](int i, std::vector<int>& c) {
    return rules{.users_to_notify = [i, &c](const std::string& user) -> std::set<std::string> {
      c.push_back(i);
      if (i == 1) throw std::runtime_error("router down");
      return {user, "@friend" + std::to_string(i)};
    }};
  });
  static_assert(modhook::policy_for<union_all, std::set<std::string>, void>);
  const auto [users, failures] = h.dispatch<&rules::users_to_notify>(std::string("@alice"));
  CHECK(users == std::set<std::string>{"@alice", "@friend0", "@friend2"});
  CHECK(failures == 1);
  CHECK(calls == std::vector<int>{0, 1, 2});
}

TEST_CASE("a throwing failure handler does not make the dispatch fail") {
  hooks h;
  std::vector<int> calls;
  REQUIRE(h.on_failure([](const modhook::failure<>&) { throw std::runtime_error("logger broken"); }));
  load_modules(h, 2, calls, [](int i, std::vector<int>& c) {
    return rules{.on_new_event = [i, &c](const event&) {
      c.push_back(i);
      throw std::runtime_error("x");
    }};
  });
  const auto r = h.dispatch<&rules::on_new_event>(hello);
  CHECK(r.failure_count() == 2);
  CHECK(calls == std::vector<int>{0, 1});
}

TEST_CASE("a module throws while another module's failure is being reported") {
  // The failure handler dispatches again (as a host's audit log might), and a module fails
  // inside that nested dispatch: each dispatch keeps its own result, nothing is lost.
  hooks h;
  std::vector<int> calls;
  std::vector<std::string> reported;
  int depth = 0;
  REQUIRE(h.on_failure([&](const modhook::failure<>& f) {
    reported.push_back(std::string(f.module.name) + " in " + std::string(f.callback.name));
    if (depth++ == 0) {
      const auto nested = h.dispatch<&rules::on_new_event>(event{"@audit", "nested"});
      CHECK(nested.failure_count() == 1);
    }
    --depth;
  }));
  load_modules(h, 3, calls, [](int i, std::vector<int>& c) {
    return rules{.check_event_allowed = [i, &c](const event&) -> bool {
                   c.push_back(i);
                   if (i == 1) throw 42; // not a std::exception
                   return true;
                 },
                 .on_new_event = [i, &c](const event& e) {
                   c.push_back(10 + i);
                   if (i == 2 && e.body == "nested") throw std::runtime_error("audit full");
                 }};
  });
  const auto v = h.dispatch<&rules::check_event_allowed>(hello);
  REQUIRE(v.failed());
  CHECK(v.decided_by()->name == "m1");
  CHECK(v.failure_count() == 1);
  CHECK_THROWS_AS(v.deciding_failure().rethrow_if_thrown(), int);
  CHECK(calls == std::vector<int>{0, 1, 10, 11, 12});
  CHECK(reported == std::vector<std::string>{"m1 in check_event_allowed", "m2 in on_new_event"});
}

namespace {
// Counts how often a dispatch argument is converted to the parameter type.
struct tally {
  static inline int conversions = 0;
  static inline bool fail = false;
  int value;
  tally(int v) : value(v) { // NOLINT: implicit on purpose
    ++conversions;
    if (fail) throw std::runtime_error("conversion failed");
  }
};
struct counting {
  MODHOOK_CALLBACKS(counting, (seen, modhook::run_all, void(const tally&)));
};
} // namespace

TEST_CASE("arguments are converted once per dispatch, before any module runs, and not blamed on modules") {
  modhook::registry<counting> h;
  std::vector<int> calls;
  int reported = 0;
  REQUIRE(h.on_failure([&](const modhook::failure<>&) { ++reported; }));
  for (int i = 0; i < 3; ++i)
    REQUIRE(h.load("m" + std::to_string(i), [&, i](auto& api) {
      REQUIRE(api.register_callbacks(counting{.seen = [&, i](const tally& t) { calls.push_back(i + t.value); }}));
    }));
  h.seal();
  tally::conversions = 0;
  CHECK(h.dispatch<&counting::seen>(10).ok());
  CHECK(tally::conversions == 1);
  CHECK(calls == std::vector<int>{10, 11, 12});

  tally::fail = true;
  calls.clear();
  CHECK_THROWS_WITH(h.dispatch<&counting::seen>(10), "conversion failed");
  tally::fail = false;
  CHECK(calls.empty());
  CHECK(reported == 0);
}

namespace {
struct shared_state {
  MODHOOK_CALLBACKS(shared_state,
    (count, modhook::run_all, void(int& counter)),
    (watch, modhook::all_must_pass_fail_open, bool(const int& value)),
    (tick, modhook::run_all, void(std::atomic<int>& ticks)));
};
} // namespace

TEST_CASE("after a module fails, later modules still share the host's reference arguments") {
  // A failure sends the dispatch down its slow path; references must stay references there.
  modhook::registry<shared_state> h;
  int watched = 1;
  std::vector<int> seen;
  std::vector<bool> handling;
  for (int i = 0; i < 3; ++i)
    REQUIRE(h.load("m" + std::to_string(i), [&, i](auto& api) {
      REQUIRE(api.register_callbacks(shared_state{
          .count = [i, &handling](int& counter) {
            ++counter;
            handling.push_back(std::current_exception() != nullptr);
            if (i == 0) throw std::runtime_error("first fails");
          },
          .watch = [i, &seen, &watched](const int& value) -> bool {
            seen.push_back(value);
            if (i == 0) throw std::runtime_error("first fails");
            if (i == 1) watched = 42; // the host's object, seen through the reference
            return true;
          },
          .tick = [](std::atomic<int>& ticks) { ++ticks; },
      }));
    }));
  h.seal();
  int counter = 0;
  CHECK(h.dispatch<&shared_state::count>(counter).failure_count() == 1);
  CHECK(counter == 3);
  // The later modules ran outside the handler of the first one's exception.
  CHECK(handling == std::vector<bool>{false, false, false});
  CHECK(h.dispatch<&shared_state::watch>(watched).passed());
  CHECK(seen == std::vector<int>{1, 1, 42});
  std::atomic<int> ticks{0};
  CHECK(h.dispatch<&shared_state::tick>(ticks).ok());
  CHECK(ticks == 3);
}

namespace {
// A policy that records which callback each result came from, for two callbacks that share
// a signature and policy (and so share the code that runs them).
struct note_callback {
  template <class T, class E>
  class combiner {
  public:
    bool on_result(T&&, const modhook::module_source& who) {
      seen_.push_back(std::string(who.callback().category) + "." + std::string(who.callback().name));
      return true;
    }
    bool on_failure(modhook::failure<E>&&) { return true; }
    std::vector<std::string> finish() && { return std::move(seen_); }

  private:
    std::vector<std::string> seen_;
  };
};
struct twin_callbacks {
  MODHOOK_CALLBACKS(twin_callbacks,
    (first, note_callback, int(int)),
    (second, note_callback, int(int)),
    (checked_first, modhook::all_must_pass, bool(int)),
    (checked_second, modhook::all_must_pass, bool(int)));
};
int identity(int x) { return x; }
bool throws(int) { throw std::runtime_error("no"); }
} // namespace

TEST_CASE("callbacks of one signature and policy each report under their own name") {
  modhook::registry<twin_callbacks> h;
  REQUIRE(h.load("m", [](modhook::registry<twin_callbacks>::api& api) {
    REQUIRE(api.register_callbacks(twin_callbacks{.first = &identity, .second = &identity,
                                                  .checked_first = &throws, .checked_second = &throws}));
  }));
  h.seal();
  CHECK(h.dispatch<&twin_callbacks::first>(1) == std::vector<std::string>{"twin_callbacks.first"});
  CHECK(h.dispatch<&twin_callbacks::second>(1) == std::vector<std::string>{"twin_callbacks.second"});
  const auto first = h.dispatch<&twin_callbacks::checked_first>(1);
  const auto second = h.dispatch<&twin_callbacks::checked_second>(1);
  REQUIRE(first.failed());
  REQUIRE(second.failed());
  CHECK(first.deciding_failure().callback == modhook::callback_name<&twin_callbacks::checked_first>);
  CHECK(second.deciding_failure().callback.name == "checked_second");
}

TEST_CASE("a null function pointer leaves a slot without a target") {
  int (*none)(int) = nullptr;
  const twin_callbacks c{.first = none};
  CHECK_FALSE(c.first);
  CHECK(c.first.target().invoke == nullptr);
}

namespace {
constexpr twin_callbacks static_twins{.checked_first = &throws, .checked_second = &throws};
}

TEST_CASE("static: callbacks of one signature and policy each report under their own name") {
  using twins = modhook::static_registry<static_twins>;
  CHECK(twins::dispatch<&twin_callbacks::checked_first>(1).deciding_failure().callback.name == "checked_first");
  CHECK(twins::dispatch<&twin_callbacks::checked_second>(1).deciding_failure().callback.name == "checked_second");
}

TEST_CASE("a module's exception lives as long as the result that records it, no longer") {
  // The dispatch keeps a caught exception aside until its slow path takes it: nothing of it
  // may stay behind there once the result is gone.
  hooks h;
  std::vector<int> calls;
  load_modules(h, 3, calls, [](int i, std::vector<int>& c) {
    return rules{.check_event_allowed = [i, &c](const event&) -> bool {
                   c.push_back(i);
                   if (i == 1) throw counted_exception{};
                   return true;
                 },
                 .on_new_event = [i, &c](const event&) {
                   c.push_back(10 + i);
                   if (i != 1) throw counted_exception{};
                 }};
  });
  {
    const auto v = h.dispatch<&rules::check_event_allowed>(hello);
    REQUIRE(v.failed());
    CHECK(v.decided_by()->name == "m1");
    CHECK(counted_exception::alive == 1);
    const auto r = h.dispatch<&rules::on_new_event>(hello);
    CHECK(r.failure_count() == 2);
    CHECK(counted_exception::alive == 2); // each result keeps its first failure
  }
  CHECK(counted_exception::alive == 0);
  CHECK(calls == std::vector<int>{0, 1, 10, 11, 12});
}

TEST_CASE("after a module returns an error, later modules still share the host's reference arguments") {
  modhook::registry<error_counting> h;
  for (int i = 0; i < 3; ++i)
    REQUIRE(h.load("m" + std::to_string(i), [i](auto& api) {
      REQUIRE(api.register_callbacks(error_counting{.bump = [i](int& counter) -> modhook::expected<void, module_error> {
        ++counter;
        if (i == 0) return modhook::unexpected(module_error{"first fails"});
        return {};
      }}));
    }));
  h.seal();
  int counter = 0;
  const auto r = h.dispatch<&error_counting::bump>(counter);
  CHECK(r.failure_count() == 1);
  CHECK(r.first_failure()->error->what == "first fails");
  CHECK(counter == 3);
}
