// The static registry: modules known at compile time, the same policies and results.

#include "test_categories.hpp"

#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <vector>

using namespace test;

namespace {

std::vector<int> calls;

template <int I>
bool allow_unless(const event& e) {
  calls.push_back(I);
  return e.body != "deny" + std::to_string(I);
}
template <int I>
void audit(const event& e) {
  calls.push_back(I);
  if (e.body == "throw" + std::to_string(I)) throw std::runtime_error("audit " + std::to_string(I));
}
template <int I>
std::optional<bool> expired(const std::string& user) {
  calls.push_back(I);
  if (user == "@answer" + std::to_string(I)) return I % 2 == 0;
  return std::nullopt;
}
template <int I>
modhook::expected<bool, module_error> username(const std::string& name) {
  calls.push_back(I);
  if (name == "error" + std::to_string(I)) return modhook::unexpected(module_error{"bad " + std::to_string(I)});
  return true;
}

struct counter {
  bool check(const event&) const {
    calls.push_back(99);
    return true;
  }
};
constexpr counter static_counter{};

constexpr rules m0{.check_event_allowed = &allow_unless<0>, .on_new_event = &audit<0>, .is_user_expired = &expired<0>};
constexpr account registration_only{.on_user_registration = [](const std::string&) { calls.push_back(-1); }};
constexpr rules m2{.check_event_allowed = &allow_unless<2>, .on_new_event = &audit<2>, .check_username = &username<2>};
constexpr rules m3{.check_event_allowed = modhook::bind<&counter::check>(static_counter), .is_user_expired = &expired<3>,
                   .check_username = &username<3>};
constexpr rules m4{.check_event_allowed = &allow_unless<4>, .on_new_event = &audit<4>, .is_user_expired = &expired<4>};

using static_hooks = modhook::static_registry<m0, registration_only, m2, m3, m4>;

} // namespace

TEST_CASE("static: counts, at compile time, who implements what") {
  static_assert(static_hooks::size() == 5);
  static_assert(static_hooks::implementation_count<&rules::check_event_allowed> == 4);
  static_assert(static_hooks::implementation_count<&rules::on_new_event> == 3);
  static_assert(static_hooks::implementation_count<&account::on_user_registration> == 1);
  static_assert(static_hooks::implementation_count<&rules::on_create_room> == 0);
}

TEST_CASE("static all_must_pass: order, stop at the first rejection, attribution by position") {
  calls.clear();
  CHECK(static_hooks::dispatch<&rules::check_event_allowed>(event{"@a", "hello"}).passed());
  CHECK(calls == std::vector<int>{0, 2, 99, 4});
  calls.clear();
  const auto v = static_hooks::dispatch<&rules::check_event_allowed>(event{"@a", "deny2"});
  CHECK(v.rejected());
  REQUIRE(v.decided_by());
  CHECK(v.decided_by()->index == 2);
  CHECK(v.decided_by()->name.empty());
  CHECK(calls == std::vector<int>{0, 2});
}

TEST_CASE("static all_must_pass: an error value fails closed and names the module") {
  calls.clear();
  const auto v = static_hooks::dispatch<&rules::check_username>(std::string("error2"));
  CHECK(v.failed());
  CHECK(v.deciding_failure().error->what == "bad 2");
  CHECK(v.deciding_failure().module.index == 2);
  CHECK(v.deciding_failure().callback == modhook::callback_ref{"rules", "check_username"});
  CHECK(calls == std::vector<int>{2});
}

TEST_CASE("static run_all: every module runs, and failures are counted and go to the handler") {
  calls.clear();
  std::vector<std::size_t> reported;
  auto handler = [&](const modhook::failure<>& f) { reported.push_back(f.module.index); };
  const auto r = static_hooks::dispatch<&rules::on_new_event>(handler, event{"@a", "throw2"});
  CHECK(r.failure_count() == 1);
  CHECK(r.first_failure()->module.index == 2);
  CHECK_THROWS_WITH(r.first_failure()->rethrow_if_thrown(), "audit 2");
  CHECK(calls == std::vector<int>{0, 2, 4});
  CHECK(reported == std::vector<std::size_t>{2});
  calls.clear();
  CHECK(static_hooks::dispatch<&rules::on_new_event>(event{"@a", "quiet"}).ok());
  CHECK(calls == std::vector<int>{0, 2, 4});
}

TEST_CASE("static first_result: the first answer wins, later modules are not called") {
  calls.clear();
  const auto a = static_hooks::dispatch<&rules::is_user_expired>(std::string("@answer3"));
  REQUIRE(a.has_value());
  CHECK(*a == false);
  CHECK(a.decided_by()->index == 3);
  CHECK(calls == std::vector<int>{0, 3});
  calls.clear();
  CHECK_FALSE(static_hooks::dispatch<&rules::is_user_expired>(std::string("@nobody")).has_value());
  CHECK(calls == std::vector<int>{0, 3, 4});
}

TEST_CASE("static: a callback nobody implements returns the empty answer, and categories mix") {
  std::string request = "room";
  CHECK(static_hooks::dispatch<&rules::on_create_room>(request, false).ok());
  calls.clear();
  CHECK(static_hooks::dispatch<&account::on_user_registration>(std::string("@new")).ok());
  CHECK(calls == std::vector<int>{-1});
  using empty = modhook::static_registry<>;
  static_assert(empty::size() == 0);
}

namespace {
void count_failure(const modhook::failure<>&) { calls.push_back(1000); }
bool no_throw_check(const event&) noexcept { return true; }
constexpr rules noexcept_module{.check_event_allowed = &no_throw_check};
int shared = 0;
void bump(int& counter) {
  ++counter;
  if (counter == 1) throw std::runtime_error("first bump fails");
}
struct counting {
  MODHOOK_CALLBACKS(counting, (bump_all, modhook::run_all, void(int&)));
};
constexpr counting b0{.bump_all = &bump};
constexpr counting b1{.bump_all = &bump};
constexpr counting b2{.bump_all = &bump};
} // namespace

TEST_CASE("static: the failure handler may be a plain function or a temporary lambda") {
  calls.clear();
  (void)static_hooks::dispatch<&rules::on_new_event>(count_failure, event{"@a", "throw2"});
  CHECK(calls == std::vector<int>{0, 2, 1000, 4});
  int reported = 0;
  (void)static_hooks::dispatch<&rules::on_new_event>([&](const modhook::failure<>&) { ++reported; },
                                                       event{"@a", "throw4"});
  CHECK(reported == 1);
}

TEST_CASE("static: a noexcept function is a constexpr slot, and references survive the slow path") {
  static_assert(modhook::static_registry<noexcept_module>::implementation_count<&rules::check_event_allowed> == 1);
  CHECK(modhook::static_registry<noexcept_module>::dispatch<&rules::check_event_allowed>(event{}).passed());
  shared = 0;
  const auto r = modhook::static_registry<b0, b1, b2>::dispatch<&counting::bump_all>(shared);
  CHECK(r.failure_count() == 1);
  CHECK(shared == 3);
}

namespace {
// Declared noexcept: the last call of a dispatch may then be a tail call.
template <int I>
spam_verdict verdict_of(int x) noexcept {
  calls.push_back(I);
  return x == I ? spam_verdict::spam : spam_verdict::not_spam;
}
template <int I>
std::optional<std::string> answer_of(int x) noexcept {
  calls.push_back(I);
  if (x == I) return "answer " + std::to_string(I);
  return std::nullopt;
}
spam_verdict throws_on_negative(int x) {
  calls.push_back(-1);
  if (x < 0) throw std::runtime_error("negative");
  return x == 42 ? spam_verdict::suspicious : spam_verdict::not_spam;
}
struct decisive {
  MODHOOK_CALLBACKS(decisive,
    (check, modhook::all_must_pass, spam_verdict(int)),
    (lookup, modhook::first_result, std::optional<std::string>(int)));
};
constexpr decisive d0{.check = &verdict_of<0>, .lookup = &answer_of<0>};
constexpr decisive d1{.check = &verdict_of<1>, .lookup = &answer_of<1>};
constexpr decisive d2{.check = &verdict_of<2>, .lookup = &answer_of<2>};
constexpr decisive thrower{.check = &throws_on_negative};
using decisive_hooks = modhook::static_registry<thrower, d0, d1, d2>;
} // namespace

TEST_CASE("static: a last noexcept implementation decides as the others do") {
  calls.clear();
  CHECK(decisive_hooks::dispatch<&decisive::check>(5).passed());
  CHECK(calls == std::vector<int>{-1, 0, 1, 2});

  calls.clear();
  const auto last = decisive_hooks::dispatch<&decisive::check>(2);
  REQUIRE(last.rejected());
  CHECK(last.rejection() == spam_verdict::spam);
  CHECK(last.decided_by()->index == 3);
  CHECK(last.failure_count() == 0);

  calls.clear();
  const auto middle = decisive_hooks::dispatch<&decisive::check>(1);
  REQUIRE(middle.rejected());
  CHECK(middle.decided_by()->index == 2);
  CHECK(calls == std::vector<int>{-1, 0, 1});

  calls.clear();
  const auto failed = decisive_hooks::dispatch<&decisive::check>(-3);
  CHECK(failed.failed());
  CHECK(failed.decided_by()->index == 0);
  CHECK(calls == std::vector<int>{-1});
}

namespace {
constexpr decisive last_thrower{.check = &throws_on_negative};
using thrower_last_hooks = modhook::static_registry<d0, d1, last_thrower>;

// Exactly one of the three outcomes holds, and operator bool is passed().
template <class Verdict>
bool one_outcome(const Verdict& v) {
  return int{v.passed()} + int{v.rejected()} + int{v.failed()} == 1 && static_cast<bool>(v) == v.passed();
}
} // namespace

TEST_CASE("static: a last implementation that may throw passes, rejects or fails as the others do") {
  // The last implementation's step is built apart from the others (every value it returns
  // goes to the decision), so each outcome is checked here, with a bool and a verdict type.
  calls.clear();
  const auto passed = thrower_last_hooks::dispatch<&decisive::check>(5);
  CHECK(passed.passed());
  CHECK(passed.outcome() == modhook::verdict<spam_verdict, void>::kind::passed);
  CHECK(one_outcome(passed));
  CHECK(calls == std::vector<int>{0, 1, -1});

  calls.clear();
  const auto failed = thrower_last_hooks::dispatch<&decisive::check>(-3);
  CHECK(failed.failed());
  CHECK(failed.outcome() == modhook::verdict<spam_verdict, void>::kind::failed);
  CHECK(one_outcome(failed));
  CHECK(failed.decided_by()->index == 2);
  CHECK(failed.failure_count() == 1);
  CHECK_THROWS_WITH(failed.deciding_failure().rethrow_if_thrown(), "negative");
  CHECK(calls == std::vector<int>{0, 1, -1});

  calls.clear();
  const auto suspicious = thrower_last_hooks::dispatch<&decisive::check>(42);
  REQUIRE(suspicious.rejected());
  CHECK(one_outcome(suspicious));
  CHECK(suspicious.rejection() == spam_verdict::suspicious);
  CHECK(suspicious.decided_by()->index == 2);
  CHECK(suspicious.failure_count() == 0);
  CHECK(calls == std::vector<int>{0, 1, -1});

  calls.clear();
  const auto rejected = static_hooks::dispatch<&rules::check_event_allowed>(event{"@a", "deny4"});
  CHECK(rejected.rejected());
  CHECK(rejected.outcome() == modhook::verdict<bool, void>::kind::rejected);
  CHECK(one_outcome(rejected));
  CHECK(rejected.rejection() == false);
  CHECK(rejected.decided_by()->index == 4);
  CHECK(calls == std::vector<int>{0, 2, 99, 4});

  calls.clear();
  const auto all_pass = static_hooks::dispatch<&rules::check_event_allowed>(event{"@a", "fine"});
  CHECK(one_outcome(all_pass));
  CHECK(all_pass.passed());
  CHECK_FALSE(all_pass.decided_by());
}

TEST_CASE("static first_result: a last noexcept implementation answers or leaves it empty") {
  calls.clear();
  const auto last = decisive_hooks::dispatch<&decisive::lookup>(2);
  REQUIRE(last.has_value());
  CHECK(*last == "answer 2");
  CHECK(last.decided_by()->index == 3);
  CHECK(calls == std::vector<int>{0, 1, 2});

  calls.clear();
  const auto none = decisive_hooks::dispatch<&decisive::lookup>(7);
  CHECK_FALSE(none.has_value());
  CHECK_FALSE(none.decided_by());
  CHECK_FALSE(none.failed());
  CHECK(calls == std::vector<int>{0, 1, 2});
}

namespace {
// A trivially copyable verdict that cannot be assigned.
struct frozen {
  const int code;
};
} // namespace
template <>
struct modhook::pass_traits<frozen> {
  static constexpr bool passes(frozen f) noexcept { return f.code == 0; }
};
namespace {
struct frozen_hooks {
  MODHOOK_CALLBACKS(frozen_hooks, (check, modhook::all_must_pass, frozen(int)));
};
frozen frozen_check(int x) noexcept { return frozen{x}; }
constexpr frozen_hooks frozen_module{.check = &frozen_check};
} // namespace

TEST_CASE("a verdict type that cannot be assigned works in both registries") {
  using frozen_static = modhook::static_registry<frozen_module>;
  CHECK(frozen_static::dispatch<&frozen_hooks::check>(0).passed());
  const auto v = frozen_static::dispatch<&frozen_hooks::check>(3);
  REQUIRE(v.rejected());
  CHECK(v.rejection().code == 3);
  modhook::registry<frozen_hooks> runtime;
  REQUIRE(runtime.load("frozen", [](auto& api) { (void)api.register_callbacks(frozen_hooks{.check = &frozen_check}); }));
  runtime.seal();
  CHECK(runtime.dispatch<&frozen_hooks::check>(2).rejection().code == 2);
  CHECK(runtime.dispatch<&frozen_hooks::check>(0).passed());
}

namespace {
template <int I>
void audit_counted(const event& e) {
  calls.push_back(I);
  if (e.body == "throw" || e.body == "throw" + std::to_string(I)) throw counted_exception{};
}
constexpr rules c0{.on_new_event = &audit_counted<0>};
constexpr rules c1{.on_new_event = &audit_counted<1>};
constexpr rules c2{.on_new_event = &audit_counted<2>};
} // namespace

TEST_CASE("static: a module's exception lives as long as the result that records it, and names its module") {
  using counted_static = modhook::static_registry<c0, registration_only, c1, c2>;
  calls.clear();
  {
    const auto one = counted_static::dispatch<&rules::on_new_event>(event{"@a", "throw2"});
    REQUIRE(one.failure_count() == 1);
    CHECK(one.first_failure()->module.index == 3);
    const auto all = counted_static::dispatch<&rules::on_new_event>(event{"@a", "throw"});
    REQUIRE(all.failure_count() == 3);
    CHECK(all.first_failure()->module.index == 0);
    CHECK(counted_exception::alive == 2); // each result keeps its first failure
  }
  CHECK(counted_exception::alive == 0);
  CHECK(calls == std::vector<int>{0, 1, 2, 0, 1, 2});
}

namespace {
modhook::expected<void, module_error> bump_or_fail(int& counter) {
  if (++counter == 1) return modhook::unexpected(module_error{"first fails"});
  return {};
}
constexpr error_counting e0{.bump = &bump_or_fail};
constexpr error_counting e1{.bump = &bump_or_fail};
constexpr error_counting e2{.bump = &bump_or_fail};
} // namespace

TEST_CASE("static: after a module returns an error, later modules still share the host's reference arguments") {
  int counter = 0;
  const auto r = modhook::static_registry<e0, e1, e2>::dispatch<&error_counting::bump>(counter);
  CHECK(r.failure_count() == 1);
  CHECK(r.first_failure()->module.index == 0);
  CHECK(counter == 3);
}
