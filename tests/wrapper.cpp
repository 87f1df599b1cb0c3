// Wrappers (module_api::wrap): they run around a callback's implementations, outermost first,
// in the modules' order; they see the arguments and the rest's result, failures included;
// they replace it, or answer without running the rest; one that throws fails as its module
// by the policy's rule; they leave with their module. On the run-time and the live
// registries, and against a model over random mixes of implementations and wrappers.

#include <modhook/live_registry.hpp>
#include <modhook/registry.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <cstddef>
#include <memory>
#include <optional>
#include <ostream>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace {

struct spam {
  MODHOOK_CALLBACKS(spam,
    (check, modhook::all_must_pass, bool(const std::string&)),
    (check_open, modhook::all_must_pass_fail_open, bool(const std::string&)),
    (lookup, modhook::first_result, std::optional<int>(std::string)),
    (notify, modhook::run_all, void(const std::string&)));
};

using check_result = modhook::verdict<bool, void>;
using lookup_result = modhook::answer<int, void>;

template <class Hooks>
void ready(Hooks& hooks) {
  if constexpr (requires { hooks.seal(); }) hooks.seal();
}

// What the modules and wrappers did, in order.
struct trace {
  std::vector<std::string> lines;
  void operator()(std::string line) { lines.push_back(std::move(line)); }
};

template <class Api>
void implement(Api& api, trace& log, bool passes = true) {
  const std::string name(api.name());
  REQUIRE(api.register_callbacks(spam{
      .check = [&log, name, passes](const std::string&) {
        log(name);
        return passes;
      },
      .check_open = [&log, name, passes](const std::string&) {
        log(name);
        return passes;
      },
      .notify = [&log, name](const std::string& what) { log(name + " " + what); },
  }));
}

template <class Api>
void wrap_check(Api& api, trace& log) {
  const std::string name(api.name());
  REQUIRE(api.template wrap<&spam::check>([&log, name](modhook::rest<check_result> rest, const std::string& what) {
    log(name + "> " + what);
    check_result r = rest();
    log(name + "< " + (r.passed() ? "passed" : "not passed"));
    return r;
  }));
}

} // namespace

TEMPLATE_TEST_CASE("wrappers: run around the implementations, outermost first, in load order", "",
                   modhook::registry<spam>, modhook::live_registry<spam>) {
  TestType hooks;
  trace log;
  REQUIRE(hooks.load("a", [&](auto& api) { implement(api, log); }));
  REQUIRE(hooks.load("outer", [&](auto& api) { wrap_check(api, log); }));
  REQUIRE(hooks.load("b", [&](auto& api) { implement(api, log, false); }));
  REQUIRE(hooks.load("inner", [&](auto& api) { wrap_check(api, log); }));
  ready(hooks);

  const check_result r = hooks.template dispatch<&spam::check>(std::string("event"));
  CHECK(r.rejected());
  CHECK(r.decided_by()->name == "b");
  CHECK(log.lines ==
        std::vector<std::string>{"outer> event", "inner> event", "a", "b", "inner< not passed", "outer< not passed"});
  // Wrappers are not implementations, and callbacks they do not wrap run as before.
  CHECK(hooks.template implementation_count<&spam::check>() == 2);
  log.lines.clear();
  CHECK(hooks.template dispatch<&spam::check_open>(std::string("event")).rejected());
  CHECK(log.lines == std::vector<std::string>{"a", "b"});
}

TEST_CASE("wrappers: are ordered by placements, as implementations are") {
  modhook::registry<spam> hooks;
  trace log;
  REQUIRE(hooks.place("inner", {.where = modhook::position::first}));
  REQUIRE(hooks.load("outer", [&](auto& api) { wrap_check(api, log); }));
  REQUIRE(hooks.load("inner", [&](auto& api) { wrap_check(api, log); }));
  REQUIRE(hooks.load("a", [&](auto& api) { implement(api, log); }));
  hooks.seal();
  CHECK(hooks.dispatch<&spam::check>(std::string("e")).passed());
  CHECK(log.lines == std::vector<std::string>{"inner> e", "outer> e", "a", "outer< passed", "inner< passed"});
}

TEMPLATE_TEST_CASE("wrappers: replace the result, or answer without running the rest", "", modhook::registry<spam>,
                   modhook::live_registry<spam>) {
  TestType hooks;
  trace log;
  int lookups = 0;
  REQUIRE(hooks.load("a", [&](auto& api) {
    implement(api, log);
    REQUIRE(api.register_callbacks(spam{.lookup = [&lookups](std::string key) -> std::optional<int> {
      ++lookups;
      return static_cast<int>(key.size());
    }}));
  }));
  // Rejects what a blocklist names without asking the modules; passes the rest's rejection of
  // "maybe" off as a pass.
  REQUIRE(hooks.load("gate", [&](auto& api) {
    const modhook::module_ref self = api.module();
    REQUIRE(api.template wrap<&spam::check>([self](auto rest, const std::string& what) -> check_result {
      if (what == "blocked") return check_result::rejected_by(self, false);
      return rest();
    }));
    // A cache: answers "cached" itself, else asks the modules.
    REQUIRE(api.template wrap<&spam::lookup>([self](auto rest, std::string key) -> lookup_result {
      if (key == "cached") return lookup_result::answered_by(self, 42);
      lookup_result r = rest();
      return r.has_value() ? lookup_result::answered_by(*r.decided_by(), *r + 1000) : r;
    }));
  }));
  ready(hooks);

  const check_result blocked = hooks.template dispatch<&spam::check>(std::string("blocked"));
  CHECK(blocked.rejected());
  CHECK(blocked.decided_by()->name == "gate");
  CHECK(log.lines.empty());
  CHECK(hooks.template dispatch<&spam::check>(std::string("fine")).passed());
  CHECK(log.lines == std::vector<std::string>{"a"});

  const lookup_result cached = hooks.template dispatch<&spam::lookup>(std::string("cached"));
  CHECK(*cached == 42);
  CHECK(cached.decided_by()->name == "gate");
  CHECK(lookups == 0);
  const lookup_result asked = hooks.template dispatch<&spam::lookup>(std::string("four"));
  CHECK(*asked == 1004);
  CHECK(asked.decided_by()->name == "a");
  CHECK(lookups == 1);
}

TEMPLATE_TEST_CASE("wrappers: a failure inside the rest reaches the wrapper as the result's failure", "",
                   modhook::registry<spam>, modhook::live_registry<spam>) {
  TestType hooks;
  std::vector<std::string> seen;
  REQUIRE(hooks.load("broken", [](auto& api) {
    REQUIRE(api.register_callbacks(spam{
        .check = [](const std::string&) -> bool { throw std::runtime_error("broken module"); },
        .check_open = [](const std::string&) -> bool { throw std::runtime_error("broken module"); },
    }));
  }));
  REQUIRE(hooks.load("watcher", [&](auto& api) {
    REQUIRE(api.template wrap<&spam::check>([&seen](auto rest, const std::string&) {
      check_result r = rest(); // (never throws)
      seen.push_back(r.failed() ? std::string(r.deciding_failure().module.name) : "no failure");
      return r;
    }));
    REQUIRE(api.template wrap<&spam::check_open>([&seen](auto rest, const std::string&) {
      check_result r = rest();
      seen.push_back(std::to_string(r.failure_count()) + (r.passed() ? " passed" : " not passed"));
      return r;
    }));
  }));
  ready(hooks);
  CHECK(hooks.template dispatch<&spam::check>(std::string("e")).failed());
  CHECK(hooks.template dispatch<&spam::check_open>(std::string("e")).passed());
  CHECK(seen == std::vector<std::string>{"broken", "1 passed"});
}

TEMPLATE_TEST_CASE("wrappers: one that throws fails as its module, by the policy's rule", "", modhook::registry<spam>,
                   modhook::live_registry<spam>) {
  TestType hooks;
  trace log;
  std::vector<std::string> reported;
  if constexpr (requires { hooks.on_failure([](const modhook::failure<>&) {}); })
    REQUIRE(hooks.on_failure([&](const modhook::failure<>& f) {
      reported.push_back(std::string(f.module.name) + " " + std::string(f.callback.name));
    }));
  // "before": throws without running the rest; "after": runs it, then throws.
  REQUIRE(hooks.load("thrower", [&](auto& api) {
    const auto wrapper = [&log](auto rest, const std::string& what) {
      if (what == "after") (void)rest();
      log("threw");
      throw std::runtime_error("wrapper threw");
      return rest();
    };
    REQUIRE(api.template wrap<&spam::check>(wrapper));
    REQUIRE(api.template wrap<&spam::check_open>(wrapper));
    REQUIRE(api.template wrap<&spam::notify>([&log](auto rest, const std::string&) {
      log("threw");
      throw std::runtime_error("wrapper threw");
      return rest();
    }));
  }));
  REQUIRE(hooks.load("a", [&](auto& api) { implement(api, log); }));
  ready(hooks);

  // Fail closed: the dispatch fails, decided by the wrapper's module.
  for (const char* when : {"before", "after"}) {
    log.lines.clear();
    const check_result r = hooks.template dispatch<&spam::check>(std::string(when));
    CHECK(r.failed());
    CHECK(r.decided_by()->name == "thrower");
    CHECK(r.deciding_failure().callback.name == "check");
    CHECK(log.lines == (std::string(when) == "before" ? std::vector<std::string>{"threw"}
                                                      : std::vector<std::string>{"a", "threw"}));
  }
  // Fail open: the rest decides as if the wrapper were absent (run once, however the wrapper
  // failed), and the wrapper's failure is counted, first.
  for (const char* when : {"before", "after"}) {
    log.lines.clear();
    const check_result r = hooks.template dispatch<&spam::check_open>(std::string(when));
    CHECK(r.passed());
    CHECK(r.failure_count() == 1);
    CHECK(r.first_failure()->module.name == "thrower");
    CHECK(log.lines == (std::string(when) == "before" ? std::vector<std::string>{"threw", "a"}
                                                      : std::vector<std::string>{"a", "threw"}));
  }
  // run_all goes on past a failure: the modules are notified.
  log.lines.clear();
  const modhook::completion<void> done = hooks.template dispatch<&spam::notify>(std::string("n"));
  CHECK(done.failure_count() == 1);
  CHECK(done.decided_by()->name == "thrower");
  CHECK(log.lines == std::vector<std::string>{"threw", "a n"});
  if constexpr (requires { hooks.on_failure([](const modhook::failure<>&) {}); })
    CHECK(reported == std::vector<std::string>{"thrower check", "thrower check", "thrower check_open",
                                               "thrower check_open", "thrower notify"});
}

TEMPLATE_TEST_CASE("wrappers: each call of the rest runs it again, with the same arguments", "",
                   modhook::registry<spam>, modhook::live_registry<spam>) {
  TestType hooks;
  trace log;
  REQUIRE(hooks.load("retry", [](auto& api) {
    REQUIRE(api.template wrap<&spam::notify>([](auto rest, const std::string&) {
      auto first = rest();
      return first.ok() ? first : rest();
    }));
  }));
  int calls = 0;
  REQUIRE(hooks.load("flaky", [&](auto& api) {
    REQUIRE(api.register_callbacks(spam{.notify = [&](const std::string& what) {
      log(what);
      if (++calls == 1) throw std::runtime_error("first call fails");
    }}));
  }));
  ready(hooks);
  CHECK(hooks.template dispatch<&spam::notify>(std::string("again")).ok());
  CHECK(log.lines == std::vector<std::string>{"again", "again"});
}

TEST_CASE("wrappers: leave with their module") {
  trace log;
  SECTION("a run-time registry's module whose load fails") {
    modhook::registry<spam> hooks;
    REQUIRE(hooks.load("a", [&](auto& api) { implement(api, log); }));
    CHECK_FALSE(hooks.load("fails", [&](auto& api) {
      wrap_check(api, log);
      throw std::runtime_error("load fails");
    }));
    hooks.seal();
    CHECK(hooks.dispatch<&spam::check>(std::string("e")).passed());
    CHECK(log.lines == std::vector<std::string>{"a"});
  }
  SECTION("a live registry's module disabled, replaced, or unloaded") {
    modhook::live_registry<spam> hooks;
    REQUIRE(hooks.load("a", [&](auto& api) { implement(api, log); }));
    REQUIRE(hooks.load("w", [&](auto& api) { wrap_check(api, log); }));
    CHECK(hooks.template dispatch<&spam::check>(std::string("1")).passed());
    REQUIRE(hooks.disable("w"));
    CHECK(hooks.template dispatch<&spam::check>(std::string("2")).passed());
    REQUIRE(hooks.enable("w"));
    CHECK(hooks.template dispatch<&spam::check>(std::string("3")).passed());
    struct second_version {
      second_version(trace& to, modhook::live_registry<spam>::api& api) {
        REQUIRE(api.wrap<&spam::check>([&to](auto rest, const std::string& what) {
          to("w2> " + what);
          return rest();
        }));
      }
    };
    REQUIRE(hooks.template replace<second_version>("w", log));
    CHECK(hooks.template dispatch<&spam::check>(std::string("4")).passed());
    REQUIRE(hooks.unload("w"));
    CHECK(hooks.template dispatch<&spam::check>(std::string("5")).passed());
    CHECK(log.lines ==
          std::vector<std::string>{"w> 1", "a", "w< passed", "a", "w> 3", "a", "w< passed", "w2> 4", "a", "a"});
  }
}

TEST_CASE("wrappers: refused once sealed, and an empty one wraps nothing") {
  modhook::registry<spam> hooks;
  modhook::registry<spam>::api* kept = nullptr;
  REQUIRE(hooks.load("m", [&](auto& api) {
    kept = &api;
    check_result (*none)(modhook::rest<check_result>, const std::string&) = nullptr;
    REQUIRE(api.template wrap<&spam::check>(none));
  }));
  hooks.seal();
  const auto late = kept->wrap<&spam::check>([](auto rest, const std::string&) { return rest(); });
  REQUIRE_FALSE(late);
  CHECK(late.error().reason == modhook::registration_error::kind::sealed);
  CHECK(late.error().module == "m");
  CHECK(hooks.dispatch<&spam::check>(std::string("e")).passed());
}

TEST_CASE("wrappers: a live registry's module wraps while it loads only") {
  modhook::live_registry<spam> hooks;
  modhook::live_registry<spam>::api* kept = nullptr;
  REQUIRE(hooks.load("m", [&](auto& api) { kept = &api; }));
  const auto late = kept->wrap<&spam::check>([](auto rest, const std::string&) { return rest(); });
  REQUIRE_FALSE(late);
  CHECK(late.error().reason == modhook::registration_error::kind::not_loading);
  CHECK(late.error().module == "m");
  CHECK(hooks.dispatch<&spam::check>(std::string("e")).passed());
}

TEST_CASE("wrappers: a wrapper that throws after the rest, failing open, keeps the rest's decision") {
  modhook::registry<spam> hooks;
  trace log;
  REQUIRE(hooks.load("timer", [&](auto& api) {
    REQUIRE(api.template wrap<&spam::check_open>([&log](auto rest, const std::string&) -> check_result {
      check_result r = rest();
      log(r.rejected() ? "saw a rejection" : "saw a pass");
      throw std::runtime_error("the timer broke");
    }));
  }));
  REQUIRE(hooks.load("a", [&](auto& api) { implement(api, log, false); }));
  hooks.seal();
  const check_result r = hooks.dispatch<&spam::check_open>(std::string("e"));
  CHECK(r.rejected()); // not a pass: the rest rejected, whatever became of the wrapper
  CHECK(r.decided_by()->name == "a");
  CHECK(r.failure_count() == 1);
  CHECK(r.first_failure()->module.name == "timer");
  CHECK(log.lines == std::vector<std::string>{"a", "saw a rejection"});
}

TEST_CASE("wrappers: a wrapper that throws stops a first_result dispatch, failed by its module") {
  modhook::registry<spam> hooks;
  int asked = 0;
  REQUIRE(hooks.load("cache", [](auto& api) {
    REQUIRE(api.template wrap<&spam::lookup>([](auto rest, std::string) -> lookup_result {
      (void)rest();
      throw std::runtime_error("the cache broke");
    }));
  }));
  REQUIRE(hooks.load("a", [&](auto& api) {
    REQUIRE(api.register_callbacks(spam{.lookup = [&asked](std::string) -> std::optional<int> {
      ++asked;
      return 1;
    }}));
  }));
  hooks.seal();
  const lookup_result r = hooks.dispatch<&spam::lookup>(std::string("k"));
  CHECK(r.failed());
  CHECK_FALSE(r.has_value());
  CHECK(r.decided_by()->name == "cache");
  CHECK(asked == 1);
}

namespace {
// A by-value argument whose copy throws once `copies_left` reaches zero: the host's failure,
// made outside every module's try block.
int copies_left = -1;
int copies_made = 0;
struct fragile {
  fragile() = default;
  fragile(const fragile&) {
    if (copies_left == 0) throw std::length_error("cannot copy");
    if (copies_left > 0) --copies_left;
    ++copies_made;
  }
  fragile& operator=(const fragile&) = default;
};
struct fragile_hooks {
  MODHOOK_CALLBACKS(fragile_hooks, (check, modhook::all_must_pass_fail_open, bool(fragile)));
};
} // namespace

TEST_CASE("wrappers: what the host throws inside the rest reaches the host, not blamed on the wrapper") {
  modhook::registry<fragile_hooks> hooks;
  std::vector<std::string> reported;
  REQUIRE(hooks.on_failure([&](const modhook::failure<>& f) { reported.push_back(std::string(f.module.name)); }));
  int before_rest = 0; // the copies made before the wrapper runs the rest
  REQUIRE(hooks.load("w", [&](auto& api) {
    REQUIRE(api.template wrap<&fragile_hooks::check>([&](auto rest, fragile) {
      before_rest = copies_made;
      return rest();
    }));
  }));
  REQUIRE(hooks.load("a", [](auto& api) {
    REQUIRE(api.register_callbacks(fragile_hooks{.check = [](fragile) { return true; }}));
  }));
  hooks.seal();
  const fragile argument;
  copies_made = 0;
  CHECK(hooks.dispatch<&fragile_hooks::check>(argument).passed());
  REQUIRE(before_rest > 0);
  REQUIRE(copies_made > before_rest);
  copies_left = before_rest; // the copy the host makes for the implementation throws, inside rest()
  CHECK_THROWS_AS((void)hooks.dispatch<&fragile_hooks::check>(argument), std::length_error);
  copies_left = -1;
  CHECK(reported.empty());
}

TEST_CASE("wrappers: an observer is told of wrapper calls as of module calls") {
  struct heard_calls {
    std::vector<std::string> heard;
    void on_call(const modhook::module_call& c) noexcept { heard.push_back(std::string(c.module.name)); }
    void on_return(const modhook::module_call& c, modhook::call_outcome o, const modhook::failure<>*) noexcept {
      static const char* const names[] = {" passed", " decided", " failed"};
      heard.push_back(std::string(c.module.name) + names[static_cast<int>(o)]);
    }
  };
  modhook::registry<modhook::observed_by<heard_calls>, spam> hooks;
  trace log;
  REQUIRE(hooks.load("w", [&](auto& api) { wrap_check(api, log); }));
  REQUIRE(hooks.load("a", [&](auto& api) { implement(api, log); }));
  hooks.seal();
  CHECK(hooks.dispatch<&spam::check>(std::string("e")).passed());
  // (The wrapper's call spans the implementations'.)
  CHECK(hooks.observer().heard == std::vector<std::string>{"w", "a", "a passed", "w passed"});
  // A wrapper that answers without the rest decided; one that throws failed.
  modhook::registry<modhook::observed_by<heard_calls>, spam> other;
  REQUIRE(other.load("gate", [](auto& api) {
    REQUIRE(api.template wrap<&spam::check>([self = api.module()](auto rest, const std::string& what) {
      if (what == "throw") throw std::runtime_error("gate broke");
      return what == "no" ? check_result::rejected_by(self, false) : rest();
    }));
  }));
  other.seal();
  CHECK(other.dispatch<&spam::check>(std::string("no")).rejected());
  CHECK(other.dispatch<&spam::check>(std::string("throw")).failed());
  CHECK(other.observer().heard == std::vector<std::string>{"gate", "gate decided", "gate", "gate failed"});
}

namespace {

// A random mix of implementations and wrappers, in load order, and what the model says of it.
enum class role { passes, rejects, throws, wraps, short_circuits, throws_before, throws_after };

struct summary {
  std::string outcome; // "passed", "rejected by m", "failed by m", or a completion's "done"
  std::size_t failures = 0;
  std::string first_failure;
  bool operator==(const summary&) const = default;
};

std::ostream& operator<<(std::ostream& out, const summary& s) {
  return out << s.outcome << ", " << s.failures << " failures, first " << s.first_failure;
}

enum class rule { fail_closed, fail_open, run_all };

// What a dispatch does: the wrappers outermost first, then the implementations, each as the
// policy combines them (all_must_pass, closed or open; run_all).
summary model(const std::vector<role>& roles, rule r, std::vector<std::string>& log) {
  std::vector<std::size_t> wrappers, implementations;
  for (std::size_t i = 0; i < roles.size(); ++i)
    (roles[i] >= role::wraps ? wrappers : implementations).push_back(i);
  const auto name = [](std::size_t i) { return "m" + std::to_string(i); };
  const auto failed = [](summary& s, const std::string& who) {
    if (s.failures++ == 0) s.first_failure = who;
  };
  const auto done = [&](summary s) {
    if (r == rule::run_all) s.outcome = "done";
    return s;
  };
  const auto inner = [&] {
    summary s{"passed", 0, {}};
    for (const std::size_t i : implementations) {
      log.push_back(name(i));
      if (roles[i] == role::rejects && r != rule::run_all) return summary{"rejected by " + name(i), s.failures, s.first_failure};
      if (roles[i] == role::throws) {
        failed(s, name(i));
        if (r == rule::fail_closed) return summary{"failed by " + name(i), s.failures, s.first_failure};
      }
    }
    return done(s);
  };
  const auto wrapped = [&](auto& self, std::size_t k) -> summary {
    if (k == wrappers.size()) return inner();
    const std::size_t w = wrappers[k];
    log.push_back(name(w) + ">");
    switch (roles[w]) {
    case role::short_circuits: return done(summary{"rejected by " + name(w), 0, {}});
    case role::throws_before:
    case role::throws_after: {
      const bool after = roles[w] == role::throws_after;
      summary rest;
      if (after) rest = self(self, k + 1);
      if (r == rule::fail_closed) return summary{"failed by " + name(w), 1, name(w)};
      // Fail open, run_all: what the rest decided (run once), the wrapper's failure logged
      // in the order it happened.
      if (!after) rest = self(self, k + 1);
      if (!after || rest.failures == 0) rest.first_failure = name(w);
      ++rest.failures;
      return rest;
    }
    default: return self(self, k + 1);
    }
  };
  return wrapped(wrapped, 0);
}

template <class Api>
void act_as(Api& api, role what, std::vector<std::string>& log) {
  const std::string name(api.name());
  if (what < role::wraps) {
    const auto check = [&log, name, what](const std::string&) {
      log.push_back(name);
      if (what == role::throws) throw std::runtime_error("module threw");
      return what == role::passes;
    };
    const auto notify = [&log, name, what](const std::string&) {
      log.push_back(name);
      if (what == role::throws) throw std::runtime_error("module threw");
    };
    REQUIRE(api.register_callbacks(spam{.check = check, .check_open = check, .notify = notify}));
    return;
  }
  const modhook::module_ref self = api.module();
  const auto wrapper = [&log, self, what](auto rest, const std::string&) {
    using result = decltype(rest());
    log.push_back(std::string(self.name) + ">");
    if (what == role::short_circuits) {
      if constexpr (std::is_same_v<result, check_result>)
        return check_result::rejected_by(self, false);
      else
        return result{};
    }
    if (what == role::throws_before) throw std::runtime_error("wrapper threw");
    result r = rest();
    if (what == role::throws_after) throw std::runtime_error("wrapper threw");
    return r;
  };
  REQUIRE(api.template wrap<&spam::check>(wrapper));
  REQUIRE(api.template wrap<&spam::check_open>(wrapper));
  REQUIRE(api.template wrap<&spam::notify>(wrapper));
}

template <class Result>
summary summarize(const Result& r) {
  summary s;
  if constexpr (std::is_same_v<Result, check_result>)
    s.outcome = r.passed() ? "passed"
                           : std::string(r.rejected() ? "rejected by " : "failed by ") + std::string(r.decided_by()->name);
  else
    s.outcome = "done";
  s.failures = r.failure_count();
  if (r.first_failure()) s.first_failure = std::string(r.first_failure()->module.name);
  return s;
}

} // namespace

TEMPLATE_TEST_CASE("wrappers: random mixes of implementations and wrappers, against a model", "",
                   modhook::registry<spam>, modhook::live_registry<spam>) {
  std::mt19937 random(std::is_same_v<TestType, modhook::registry<spam>> ? 11 : 12);
  for (int round = 0; round < 300; ++round) {
    std::vector<role> roles(random() % 6);
    for (role& r : roles) r = static_cast<role>(random() % 7);
    std::vector<std::string> log;
    TestType hooks;
    for (std::size_t i = 0; i < roles.size(); ++i)
      REQUIRE(hooks.load("m" + std::to_string(i), [&](auto& api) { act_as(api, roles[i], log); }));
    ready(hooks);
    std::string description;
    for (const role r : roles) description += std::to_string(static_cast<int>(r)) + " ";
    INFO("round " << round << ": roles " << description);

    const std::pair<rule, const char*> rules[] = {
        {rule::fail_closed, "fail closed"}, {rule::fail_open, "fail open"}, {rule::run_all, "run_all"}};
    for (const auto& [r, what] : rules) {
      INFO(what);
      std::vector<std::string> expected_log;
      const summary expected = model(roles, r, expected_log);
      log.clear();
      summary seen;
      if (r == rule::fail_closed) seen = summarize(hooks.template dispatch<&spam::check>(std::string("e")));
      if (r == rule::fail_open) seen = summarize(hooks.template dispatch<&spam::check_open>(std::string("e")));
      if (r == rule::run_all) seen = summarize(hooks.template dispatch<&spam::notify>(std::string("e")));
      CHECK(seen == expected);
      CHECK(log == expected_log);
    }
  }
}

TEST_CASE("wrappers: a live registry's wrapping module comes and goes while another thread dispatches") {
  modhook::live_registry<spam> hooks;
  std::atomic<int> wrapped{0}, called{0};
  REQUIRE(hooks.load("a", [&](auto& api) {
    REQUIRE(api.register_callbacks(spam{.check = [&called](const std::string&) {
      called.fetch_add(1, std::memory_order_relaxed);
      return true;
    }}));
  }));
  std::atomic<bool> done{false};
  std::atomic<int> wrong{0}; // (Catch's assertions are not for other threads)
  std::thread dispatcher([&] {
    while (!done.load(std::memory_order_acquire))
      if (!hooks.template dispatch<&spam::check>(std::string("e")).passed()) wrong.fetch_add(1);
  });
  for (int round = 0; round < 200; ++round) {
    REQUIRE(hooks.load("w", [&](auto& api) {
      // State the set borrows: destroyed with the module, after the last dispatch that saw it.
      auto counter = std::make_shared<std::atomic<int>*>(&wrapped);
      REQUIRE(api.template wrap<&spam::check>([counter](auto rest, const std::string&) {
        (*counter)->fetch_add(1, std::memory_order_relaxed);
        return rest();
      }));
    }));
    REQUIRE(hooks.unload("w"));
  }
  done.store(true, std::memory_order_release);
  dispatcher.join();
  CHECK(wrong.load() == 0);
  CHECK(called.load() >= wrapped.load());
}
