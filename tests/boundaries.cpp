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
modhook::module_ref resolve_fixed(const modhook::module_table&, const void* position) noexcept {
  return {static_cast<std::size_t>(*static_cast<const int*>(position)), "named"};
}
constexpr modhook::module_table fixed_table{&resolve_fixed, {"rules", "cb"}};
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
