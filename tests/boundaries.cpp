// Where the host's arguments and handlers meet a dispatch, and where a module's type meets
// the static registry: std::ref, derived module types, failure handlers, the combiners'
// contract as a driver of one's own relies on it, and what a failed load leaves.

#include "test_categories.hpp"

#include <catch2/catch.hpp>

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

using namespace test;

namespace {

// Counts its copies, so that a test can see whether a dispatch made any.
struct big {
  int touched = 0;
  static inline int copies = 0;
  big() = default;
  big(const big& other) : touched(other.touched) { ++copies; }
  big& operator=(const big&) = default;
};

struct argument_hooks {
  MODHOOK_CALLBACKS(argument_hooks,
    (touch, modhook::run_all, void(big&)),
    (look, modhook::all_must_pass, bool(const big&)));
};

std::vector<const big*> seen;
void touch(big& b) { ++b.touched; }
bool look(const big& b) {
  seen.push_back(&b);
  return true;
}
constexpr argument_hooks toucher{.touch = &touch, .look = &look};
using static_arguments = modhook::static_registry<toucher, toucher>;

} // namespace

TEST_CASE("std::ref and std::cref bind a reference parameter to the caller's object, in both registries") {
  modhook::registry<argument_hooks> hooks;
  for (const char* name : {"a", "b"})
    REQUIRE(hooks.load(name, [](auto& api) { (void)api.register_callbacks(argument_hooks{.touch = &touch, .look = &look}); }));
  hooks.seal();
  big x;
  big::copies = 0;
  seen.clear();
  CHECK(hooks.dispatch<&argument_hooks::touch>(std::ref(x)).ok());
  CHECK(hooks.dispatch<&argument_hooks::look>(std::cref(x)).passed());
  CHECK(hooks.dispatch<&argument_hooks::look>(std::ref(x)).passed());
  CHECK(x.touched == 2); // both modules changed x, not a copy
  CHECK(big::copies == 0);
  CHECK(seen == std::vector<const big*>{&x, &x, &x, &x});

  seen.clear();
  CHECK(static_arguments::dispatch<&argument_hooks::touch>(std::ref(x)).ok());
  CHECK(static_arguments::dispatch<&argument_hooks::look>(std::cref(x)).passed());
  CHECK(x.touched == 4);
  CHECK(big::copies == 0);
  CHECK(seen == std::vector<const big*>{&x, &x});
}

TEST_CASE("std::cref is refused for a non-const reference parameter, as in a plain call") {
  const big x;
  static_assert(!argument_hooks::modhook_slot_touch::modhook_accepts<decltype(std::cref(x))>);
  static_assert(argument_hooks::modhook_slot_touch::modhook_accepts<decltype(std::ref(seen))> == false);
  static_assert(argument_hooks::modhook_slot_look::modhook_accepts<decltype(std::cref(x))>);
}

namespace {
// A module type of its own, derived from the category it fills.
struct censor_module : rules {};
bool refuse_spam(const event& e) { return e.body != "spam"; }
constexpr censor_module derived_censor{{.check_event_allowed = &refuse_spam}};
constexpr rules plain_module{.check_event_allowed = [](const event&) { return true; }};
using derived_hooks = modhook::static_registry<plain_module, derived_censor>;
} // namespace

TEST_CASE("static: a module whose type derives from the category is called like one of the category") {
  static_assert(derived_hooks::implementation_count<&rules::check_event_allowed> == 2);
  CHECK(derived_hooks::dispatch<&rules::check_event_allowed>(event{"@a", "hello"}).passed());
  const auto v = derived_hooks::dispatch<&rules::check_event_allowed>(event{"@a", "spam"});
  REQUIRE(v.rejected());
  CHECK(v.decided_by()->index == 1);
}

namespace {
int handled = 0;
bool handler_with_a_result(const modhook::failure<>&) { return ++handled, true; }
void throwing_module(const event&) { throw std::runtime_error("module"); }
std::vector<int> ran;
void second_module(const event&) { ran.push_back(2); }
constexpr rules thrower{.on_new_event = &throwing_module};
constexpr rules after_thrower{.on_new_event = &second_module};
using handler_hooks = modhook::static_registry<thrower, after_thrower>;
} // namespace

TEST_CASE("static: a failure handler may return a value, and one that throws stops nothing") {
  handled = 0;
  ran.clear();
  const auto done = handler_hooks::dispatch<&rules::on_new_event>(handler_with_a_result, event{"@a", "x"});
  CHECK(handled == 1);
  CHECK(done.failure_count() == 1);
  const auto again = handler_hooks::dispatch<&rules::on_new_event>(
      [](const modhook::failure<>&) { throw std::logic_error("the handler fails"); }, event{"@a", "x"});
  CHECK(again.failure_count() == 1);
  CHECK(again.first_failure()->module.index == 0);
  CHECK(ran == std::vector<int>{2, 2}); // the module after the failure ran both times
}

namespace {
modhook::module_ref resolve_fixed(const modhook::detail::module_table&, const void* position) noexcept {
  return {static_cast<std::size_t>(*static_cast<const int*>(position)), "named"};
}
constexpr modhook::detail::module_table fixed_table{&resolve_fixed, {"rules", "cb"}};
modhook::failure<> failure_of(std::size_t index) {
  modhook::failure<> f;
  f.module = {index, "failing"};
  return f;
}
} // namespace

TEST_CASE("the built-in combiners keep the contract a driver of one's own relies on") {
  const int at_3 = 3, at_4 = 4;
  const modhook::module_source third(fixed_table, &at_3), fourth(fixed_table, &at_4);

  SECTION("first_result stops at the first engaged optional and keeps it") {
    modhook::first_result::combiner<std::optional<int>, void> c;
    CHECK(c.on_result(std::nullopt, third));
    CHECK_FALSE(c.on_result(std::optional<int>(7), fourth));
    const auto a = std::move(c).finish();
    REQUIRE(a.has_value());
    CHECK(*a == 7);
    CHECK(a.decided_by()->index == 4);
    modhook::first_result::combiner<std::optional<int>, void> failing;
    CHECK_FALSE(failing.on_failure(failure_of(2)));
    CHECK(std::move(failing).finish().failed());
  }
  SECTION("all_must_pass stops at the first value that does not pass, and at a failure") {
    modhook::all_must_pass::combiner<bool, void> c;
    CHECK(c.on_result(true, third));
    CHECK_FALSE(c.on_result(false, fourth));
    const auto v = std::move(c).finish();
    CHECK(v.rejected());
    CHECK(v.decided_by()->index == 4);
    modhook::all_must_pass::combiner<bool, void> failing;
    CHECK_FALSE(failing.on_failure(failure_of(2)));
    const auto f = std::move(failing).finish();
    CHECK(f.failed());
    CHECK(f.decided_by()->index == 2);
  }
  SECTION("all_must_pass_fail_open goes on after a failure and still passes") {
    modhook::all_must_pass_fail_open::combiner<bool, void> c;
    CHECK(c.on_failure(failure_of(1)));
    CHECK(c.on_result(true, third));
    const auto v = std::move(c).finish();
    CHECK(v.passed());
    CHECK(v.failure_count() == 1);
  }
  SECTION("run_all goes on after every failure; first_exception stops at the first") {
    modhook::run_all::combiner<std::monostate, void> all;
    CHECK(all.on_failure(failure_of(1)));
    CHECK(all.on_result(std::monostate{}, third));
    CHECK(all.on_failure(failure_of(5)));
    const auto done = std::move(all).finish();
    CHECK(done.failure_count() == 2);
    CHECK(done.first_failure()->module.index == 1);
    modhook::first_exception::combiner<std::monostate, void> first;
    CHECK(first.on_result(std::monostate{}, third));
    CHECK_FALSE(first.on_failure(failure_of(5)));
    CHECK(std::move(first).finish().decided_by()->index == 5);
  }
}

TEST_CASE("a module that registered a callback twice and then threw leaves none of it behind") {
  hooks h;
  std::vector<std::string> called;
  REQUIRE(h.load("before", [&](hooks::api& api) {
    (void)api.register_callbacks(rules{.on_new_event = [&](const event&) { called.push_back("before"); }});
  }));
  REQUIRE_FALSE(h.load("twice", [&](hooks::api& api) {
    REQUIRE(api.register_callbacks(rules{.on_new_event = [&](const event&) { called.push_back("twice 1"); }}));
    REQUIRE(api.register_callbacks(rules{.on_new_event = [&](const event&) { called.push_back("twice 2"); }}));
    throw std::runtime_error("after registering twice");
  }));
  REQUIRE(h.load("after", [&](hooks::api& api) {
    (void)api.register_callbacks(rules{.on_new_event = [&](const event&) { called.push_back("after"); }});
  }));
  h.seal();
  CHECK(h.implementation_count<&rules::on_new_event>() == 2);
  CHECK(h.dispatch<&rules::on_new_event>(event{"@a", "x"}).ok());
  CHECK(called == std::vector<std::string>{"before", "after"});
}

namespace {
struct editor {
  void by_value(std::string request, bool) { (void)request; }
  void by_reference(std::string& request, bool) { request += "!"; }
};
void free_by_value(std::string, bool) {}
struct functor_by_value {
  void operator()(std::string, bool) const {}
};
} // namespace

TEST_CASE("a callable that takes by value what the callback passes by non-const reference is refused") {
  using check = modhook::detail::callable_check;
  using sig = void(std::string&, bool);
  const auto lambda_by_value = [](std::string, bool) {};
  const auto lambda_by_reference = [](std::string& r, bool) { r += "!"; };
  const auto generic = [](auto&&, bool) {}; // its parameters are not known: accepted
  static_assert(modhook::detail::check_callable<decltype(lambda_by_value), sig>::value ==
                check::copies_an_editable_argument);
  static_assert(modhook::detail::check_callable<decltype(&free_by_value), sig>::value ==
                check::copies_an_editable_argument);
  static_assert(modhook::detail::check_callable<functor_by_value, sig>::value == check::copies_an_editable_argument);
  static_assert(modhook::detail::check_callable<decltype(modhook::bind<&editor::by_value>(std::declval<editor&>())),
                                                sig>::value == check::copies_an_editable_argument);
  static_assert(modhook::detail::check_callable<decltype(modhook::bind<&free_by_value>()), sig>::value ==
                check::copies_an_editable_argument);
  // By reference, by const reference (it says it does not edit), or generic: accepted.
  static_assert(modhook::detail::check_callable<decltype(lambda_by_reference), sig>::value == check::ok);
  static_assert(modhook::detail::check_callable<void (*)(const std::string&, bool), sig>::value == check::ok);
  static_assert(modhook::detail::check_callable<decltype(generic), sig>::value == check::ok);
  static_assert(modhook::detail::check_callable<decltype(modhook::bind<&editor::by_reference>(std::declval<editor&>())),
                                                sig>::value == check::ok);
  // A by-value parameter of the callback may be taken by value.
  static_assert(modhook::detail::check_callable<decltype(&free_by_value), void(std::string, bool)>::value == check::ok);
  // And the edits of one that takes it by reference reach the host and the next module.
  modhook::registry<rules> h;
  REQUIRE(h.load("a", [](auto& api) {
    (void)api.register_callbacks(rules{.on_create_room = [](std::string& r, bool) { r += "a"; }});
  }));
  REQUIRE(h.load("b", [](auto& api) {
    (void)api.register_callbacks(rules{.on_create_room = [](std::string& r, bool) { r += r.size() == 8 ? "b" : "?"; }});
  }));
  h.seal();
  std::string request = "request";
  CHECK(h.dispatch<&rules::on_create_room>(request, false).ok());
  CHECK(request == "requestab");
}

namespace {
// A by-value argument whose copy may throw; it counts its copies and can be told which one
// throws.
struct fragile {
  static inline int copies = 0;
  static inline int throw_at = -1; // the copy (0-based) that throws, or -1
  int id = 0;
  fragile() = default;
  explicit fragile(int i) : id(i) {}
  fragile(const fragile& other) : id(other.id) {
    if (copies++ == throw_at) throw std::bad_alloc();
  }
  fragile(fragile&&) noexcept = default;
};
static_assert(!std::is_nothrow_copy_constructible_v<fragile>);

// The by-value rule: each module's parameter is a copy of the argument as it is when that
// module is called, as in `a(x); b(x); c(x);`, whatever failed before it.
struct value_hooks {
  MODHOOK_CALLBACKS(value_hooks,
    (level, modhook::run_all, void(int)),
    (allowed, modhook::all_must_pass_fail_open, bool(int)),
    (reported, modhook::run_all, modhook::expected<void, int>(int)),
    (copied, modhook::run_all, void(fragile)),
    (ping, modhook::run_all, void()));
};


int host_level = 0;          // the host's object, changed by modules during a dispatch
std::vector<int> levels_seen; // what each module was given
std::vector<int> copied_by;   // which module ran for `copied`

void sets_then_throws(int given) {
  levels_seen.push_back(given);
  host_level = 1;
  throw std::runtime_error("first module fails");
}
void sets_then_passes(int given) {
  levels_seen.push_back(given);
  host_level = 2;
}
void records(int given) { levels_seen.push_back(given); }
// The first module's failure as an error value: the other cold path, a value the policy
// must see (an error) rather than an exception.
modhook::expected<void, int> sets_then_errs(int given) {
  levels_seen.push_back(given);
  host_level = 1;
  return modhook::unexpected(7);
}
modhook::expected<void, int> sets_then_returns(int given) {
  sets_then_passes(given);
  return {};
}
modhook::expected<void, int> records_then_returns(int given) {
  records(given);
  return {};
}
int pings = 0;
void ping() { ++pings; }
bool sets_then_throws_check(int given) { return sets_then_throws(given), true; }
bool sets_then_passes_check(int given) { return sets_then_passes(given), true; }
bool records_check(int given) { return records(given), true; }
template <int Module>
void copy_taker(fragile f) {
  copied_by.push_back(Module * 10 + f.id);
  if (Module == 0 && f.id == 9) throw std::runtime_error("the first module fails on 9");
}

constexpr value_hooks first_value{.level = &sets_then_throws, .allowed = &sets_then_throws_check,
                                  .reported = &sets_then_errs, .copied = &copy_taker<0>, .ping = &ping};
constexpr value_hooks second_value{.level = &sets_then_passes, .allowed = &sets_then_passes_check,
                                   .reported = &sets_then_returns, .copied = &copy_taker<1>, .ping = &ping};
constexpr value_hooks third_value{.level = &records, .allowed = &records_check, .reported = &records_then_returns,
                                  .copied = &copy_taker<2>, .ping = &ping};
using static_values = modhook::static_registry<first_value, second_value, third_value>;

struct value_registry {
  modhook::registry<value_hooks> hooks;
  int reported = 0;
  value_registry() {
    REQUIRE(hooks.load("first", [](auto& api) { (void)api.register_callbacks(first_value); }));
    REQUIRE(hooks.load("second", [](auto& api) { (void)api.register_callbacks(second_value); }));
    REQUIRE(hooks.load("third", [](auto& api) { (void)api.register_callbacks(third_value); }));
    REQUIRE(hooks.on_failure([this](const modhook::failure<>&) noexcept { ++reported; }));
    hooks.seal();
  }
};
int static_reported = 0;
void count_static_failure(const modhook::failure<>&) noexcept { ++static_reported; }
} // namespace

TEST_CASE("a by-value parameter is the argument as it is when each module is called, after a failure too") {
  value_registry r;
  // The first module fails after changing the host's object; the second changes it again.
  // A plain call sequence gives the second 1 and the third 2, not a snapshot from before.
  const auto run = [&](auto dispatch) {
    host_level = 0;
    levels_seen.clear();
    dispatch();
    CHECK(levels_seen == std::vector<int>{0, 1, 2});
  };
  // After a module threw (kept, resumed where the dispatch returns) ...
  run([&] { CHECK(r.hooks.dispatch<&value_hooks::level>(host_level).failure_count() == 1); });
  run([&] { CHECK(r.hooks.dispatch<&value_hooks::allowed>(host_level).passed()); });
  run([&] { CHECK(static_values::dispatch<&value_hooks::level>(host_level).failure_count() == 1); });
  run([&] { CHECK(static_values::dispatch<&value_hooks::allowed>(host_level).passed()); });
  // ... and after it returned an error (fed to the policy on the spot, the rest run cold).
  run([&] { CHECK(r.hooks.dispatch<&value_hooks::reported>(host_level).failure_count() == 1); });
  run([&] { CHECK(static_values::dispatch<&value_hooks::reported>(host_level).failure_count() == 1); });
}

TEST_CASE("a callback without parameters is dispatched by both registries") {
  value_registry r;
  pings = 0;
  CHECK(r.hooks.dispatch<&value_hooks::ping>().ok());
  CHECK(static_values::dispatch<&value_hooks::ping>().ok());
  CHECK(pings == 6);
}

TEST_CASE("a by-value argument is copied once per module, and a copy that throws is the host's, not a module's") {
  value_registry r;
  const fragile argument(7);
  SECTION("one copy per module called, none made by the dispatch itself") {
    fragile::copies = 0;
    fragile::throw_at = -1;
    copied_by.clear();
    CHECK(r.hooks.dispatch<&value_hooks::copied>(argument).ok());
    CHECK(static_values::dispatch<&value_hooks::copied>(fragile(7)).ok());
    CHECK(fragile::copies == 6);
    CHECK(copied_by == std::vector<int>{7, 17, 27, 7, 17, 27});
  }
  SECTION("a copy that throws propagates from the dispatch; no module is blamed, none after it runs") {
    for (int at : {0, 1, 2}) {
      copied_by.clear();
      fragile::copies = 0;
      fragile::throw_at = at;
      CHECK_THROWS_AS(r.hooks.dispatch<&value_hooks::copied>(argument), std::bad_alloc);
      fragile::copies = 0;
      static_reported = 0;
      CHECK_THROWS_AS(static_values::dispatch<&value_hooks::copied>(count_static_failure, argument), std::bad_alloc);
      std::vector<int> expected;
      for (int m = 0; m < at; ++m) expected.push_back(m * 10 + 7);
      const auto twice = [&] {
        auto both = expected;
        both.insert(both.end(), expected.begin(), expected.end());
        return both;
      }();
      CHECK(copied_by == twice);
      CHECK(r.reported == 0);
      CHECK(static_reported == 0);
    }
  }
  SECTION("after a module failed, the copy for the next one is still the host's") {
    const fragile nine(9);
    copied_by.clear();
    fragile::copies = 0;
    fragile::throw_at = 1;
    CHECK_THROWS_AS(r.hooks.dispatch<&value_hooks::copied>(nine), std::bad_alloc);
    fragile::copies = 0;
    static_reported = 0;
    CHECK_THROWS_AS(static_values::dispatch<&value_hooks::copied>(count_static_failure, nine), std::bad_alloc);
    CHECK(copied_by == std::vector<int>{9, 9});
    CHECK(r.reported == 1); // the first module's own failure, nothing else
    CHECK(static_reported == 1);
  }
}

namespace {

// A by-value argument whose copy may throw (so a dispatch makes the host's copy of it for
// each module, before the module's try) and whose destructor dispatches itself, to a
// registry whose module throws: the copy dies after a module of the outer dispatch threw,
// while that dispatch holds the exception it caught.
struct inner_rules {
  MODHOOK_CALLBACKS(inner_rules, (check, modhook::all_must_pass, bool(int)));
};
modhook::registry<inner_rules>* inner_hooks = nullptr;
std::vector<std::string> inner_deciders;

struct dispatching_argument {
  int value = 0;
  explicit dispatching_argument(int v) : value(v) {}
  dispatching_argument(const dispatching_argument& other) noexcept(false) : value(other.value) {}
  dispatching_argument& operator=(const dispatching_argument&) = default;
  ~dispatching_argument() {
    if (inner_hooks == nullptr) return;
    const auto verdict = inner_hooks->dispatch<&inner_rules::check>(value);
    inner_deciders.emplace_back(verdict.failed() ? verdict.decided_by()->name : "passed");
  }
};

struct outer_rules {
  MODHOOK_CALLBACKS(outer_rules, (check, modhook::all_must_pass, bool(dispatching_argument)));
};
constexpr outer_rules outer_thrower{.check = [](dispatching_argument) -> bool { throw std::runtime_error("outer"); }};
constexpr outer_rules outer_passer{.check = [](dispatching_argument) { return true; }};
using static_outer = modhook::static_registry<outer_thrower, outer_passer>;

std::string what_of(const modhook::failure<>& f) {
  try {
    f.rethrow_if_thrown();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "<no exception>";
}

} // namespace

TEST_CASE("an argument's destructor that dispatches does not disturb the exception a dispatch holds") {
  modhook::registry<inner_rules> inner;
  REQUIRE(inner.load("inner thrower", [](auto& api) {
    (void)api.register_callbacks(inner_rules{.check = [](int) -> bool { throw std::runtime_error("inner"); }});
  }));
  inner.seal();
  modhook::registry<outer_rules> outer;
  REQUIRE(outer.load("outer thrower", [](auto& api) { (void)api.register_callbacks(outer_thrower); }));
  REQUIRE(outer.load("outer passer", [](auto& api) { (void)api.register_callbacks(outer_passer); }));
  outer.seal();

  const dispatching_argument argument(1);
  inner_hooks = &inner;
  inner_deciders.clear();
  SECTION("run-time registry") {
    const auto verdict = outer.dispatch<&outer_rules::check>(argument);
    REQUIRE(verdict.failed());
    CHECK(verdict.decided_by()->name == "outer thrower");
    CHECK(what_of(verdict.deciding_failure()) == "outer");
  }
  SECTION("static registry") {
    const auto verdict = static_outer::dispatch<&outer_rules::check>(argument);
    REQUIRE(verdict.failed());
    CHECK(verdict.decided_by()->index == 0);
    CHECK(what_of(verdict.deciding_failure()) == "outer");
  }
  inner_hooks = nullptr;
  // Every copy's destructor dispatched, and each of those dispatches saw its own failure.
  REQUIRE_FALSE(inner_deciders.empty());
  for (const auto& decider : inner_deciders) CHECK(decider == "inner thrower");
}
