// Every kind of callable a slot accepts, and how it is stored.

#include "test_categories.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <memory>
#include <optional>
#include <string>

using namespace test;

namespace {

bool allow_all(const event&) { return true; }
bool deny_spam(const event& e) { return e.body != "spam"; }
// A class that chooses to convert to bool is taken.
struct yes_no {
  bool value;
  operator bool() const { return value; } // implicit on purpose
};
yes_no nonempty(event e) { return {!e.body.empty()}; } // takes the event by value: converts too

struct counter_module {
  int seen = 0;
  bool check(const event& e) {
    ++seen;
    return e.body != "spam";
  }
  bool check_const(const event& e) const { return e.body.size() < 10; }
};

const event ham{"@a:x", "ham"};
const event spam{"@a:x", "spam"};

bool allowed(const rules& r, const event& e) { return r.check_event_allowed(e); }

} // namespace

TEST_CASE("free functions, by pointer and by reference") {
  const rules by_pointer{.check_event_allowed = &deny_spam};
  const rules by_reference{.check_event_allowed = deny_spam};
  CHECK(allowed(by_pointer, ham));
  CHECK_FALSE(allowed(by_pointer, spam));
  CHECK_FALSE(allowed(by_reference, spam));
}

namespace {
bool overloaded(const event& e) { return e.body != "spam"; }
[[maybe_unused]] bool overloaded(const event& e, int) { return e.body.empty(); }
bool deny_spam_nothrow(const event& e) noexcept { return e.body != "spam"; }
} // namespace

TEST_CASE("a function of exactly the signature: overloads resolve, a noexcept one is taken") {
  const rules picked{.check_event_allowed = &overloaded}; // the overload of the callback's signature
  CHECK(allowed(picked, ham));
  CHECK_FALSE(allowed(picked, spam));
  const rules nothrow{.check_event_allowed = &deny_spam_nothrow};
  CHECK(allowed(nothrow, ham));
  CHECK_FALSE(allowed(nothrow, spam));
}

TEST_CASE("a function whose signature differs but converts is accepted, unless a number stands for a bool") {
  const rules r{.check_event_allowed = &nonempty};
  CHECK(allowed(r, ham));
  CHECK_FALSE(allowed(r, event{"", ""}));
  using check = modhook::detail::callable_check;
  static_assert(modhook::detail::check_callable<int (*)(const event&), bool(const event&)>::value ==
                check::accidental_bool);
  static_assert(modhook::detail::check_callable<decltype(&nonempty), bool(const event&)>::value == check::ok);
  const auto literal = [](const event&) { return "M_FORBIDDEN"; };
  static_assert(modhook::detail::check_callable<decltype(literal), bool(const event&)>::value == check::accidental_bool);
  const auto null = [](const event&) { return nullptr; }; // no implicit conversion at all
  static_assert(modhook::detail::check_callable<decltype(null), bool(const event&)>::value == check::wrong_result);
  const auto count = [](const std::string&) { return 2; };
  static_assert(modhook::detail::check_callable<decltype(count), std::optional<bool>(const std::string&)>::value ==
                check::accidental_bool);
  const auto code = [](const std::string&) { return 1.0; };
  static_assert(modhook::detail::check_callable<decltype(code),
                                                modhook::expected<bool, module_error>(const std::string&)>::value ==
                check::accidental_bool);
  // Where the callback returns a number, a number is what it asks for.
  static_assert(modhook::detail::check_callable<int (*)(const event&), long(const event&)>::value == check::ok);
}

TEST_CASE("unset and null slots are empty") {
  const rules unset{};
  CHECK_FALSE(unset.check_event_allowed);
  const rules null{.check_event_allowed = nullptr};
  CHECK_FALSE(null.check_event_allowed);
  bool (*no_function)(const event&) = nullptr;
  const rules null_pointer{.check_event_allowed = no_function};
  CHECK_FALSE(null_pointer.check_event_allowed);
}

TEST_CASE("captureless, small capturing, large capturing and mutable lambdas") {
  int hits = 0;
  std::array<int, 8> big{1, 2, 3, 4, 5, 6, 7, 8};
  const rules captureless{.check_event_allowed = [](const event& e) { return e.body == "ham"; }};
  const rules small{.check_event_allowed = [&hits](const event&) { return ++hits > 0; }};
  const rules large{.check_event_allowed = [big](const event& e) { return big[7] == 8 && e.body == "ham"; }};
  rules stateful{.check_event_allowed = [n = 0](const event&) mutable { return ++n < 3; }};

  CHECK(allowed(captureless, ham));
  CHECK(allowed(small, ham));
  CHECK(hits == 1);
  CHECK(allowed(large, ham));
  CHECK_FALSE(allowed(large, spam));
  // Mutable state lives on the heap and persists across calls.
  CHECK(allowed(stateful, ham));
  CHECK(allowed(stateful, ham));
  CHECK_FALSE(allowed(stateful, ham));
}

TEST_CASE("callables that own resources are destroyed with their slot, and copied deeply") {
  auto owned = std::make_shared<int>(7);
  std::weak_ptr<int> watch = owned;
  {
    rules r{.check_event_allowed = [p = std::move(owned)](const event&) { return *p == 7; }};
    CHECK(allowed(r, ham));
    rules copy = r;
    CHECK(watch.use_count() == 2);
    rules moved = std::move(r);
    CHECK(allowed(moved, ham));
    CHECK_FALSE(r.check_event_allowed); // NOLINT: a moved-from slot is empty
    CHECK(watch.use_count() == 2);
  }
  CHECK(watch.expired());
}

TEST_CASE("member functions bound to an object, by pointer or reference, const or not") {
  counter_module m;
  const rules by_pointer{.check_event_allowed = modhook::bind<&counter_module::check>(&m)};
  const rules by_reference{.check_event_allowed = modhook::bind<&counter_module::check>(m)};
  CHECK(allowed(by_pointer, ham));
  CHECK_FALSE(allowed(by_reference, spam));
  CHECK(m.seen == 2);
  const counter_module& cm = m;
  const rules const_member{.check_event_allowed = modhook::bind<&counter_module::check_const>(cm)};
  CHECK(allowed(const_member, ham));
}

TEST_CASE("bind<&f>() calls a function known at compile time and stores nothing") {
  const rules r{.check_event_allowed = modhook::bind<&deny_spam>()};
  CHECK(allowed(r, ham));
  CHECK_FALSE(allowed(r, spam));
  static_assert(std::is_empty_v<decltype(modhook::bind<&deny_spam>())>);
}

// Slots in constant expressions: what the static registry is built on.
namespace {
struct checker {
  bool check(const event& e) const { return e.body != "spam"; }
};
constexpr checker static_checker{};

constexpr rules constant_module{
    .check_event_allowed = &allow_all,
    .check_event_for_spam = [](const event&) { return spam_verdict::not_spam; },
};
constexpr rules constant_bound{.check_event_allowed = modhook::bind<&checker::check>(static_checker)};
constexpr rules constant_function{.check_event_allowed = modhook::bind<&deny_spam>()};
constexpr bool (*no_function)(const event&) = nullptr;
constexpr rules constant_null{.check_event_allowed = no_function};
} // namespace

TEST_CASE("slots are usable in constexpr module objects") {
  static_assert(static_cast<bool>(constant_module.check_event_allowed));
  static_assert(static_cast<bool>(constant_module.check_event_for_spam));
  static_assert(!constant_module.on_new_event);
  static_assert(static_cast<bool>(constant_bound.check_event_allowed));
  static_assert(!constant_null.check_event_allowed); // a null function pointer leaves the slot unset
  CHECK(allowed(constant_module, ham));
  CHECK(constant_module.check_event_for_spam(spam) == spam_verdict::not_spam);
  CHECK_FALSE(allowed(constant_bound, spam));
  CHECK_FALSE(allowed(constant_function, spam));
}

namespace {
struct noter {
  int notes = 0;
  bool note(const event&) { return ++notes > 0; } // a result, for a void callback
};
struct other_rules {
  MODHOOK_CALLBACKS(other_rules, (allowed, modhook::all_must_pass, bool(const event&)));
};
} // namespace

TEST_CASE("a bound member function's result is discarded for a void callback") {
  noter n;
  const rules r{.on_new_event = modhook::bind<&noter::note>(n)};
  r.on_new_event(ham);
  CHECK(n.notes == 1);
}

TEST_CASE("a slot given another slot takes its target, and an empty one stays empty") {
  const other_rules set{.allowed = &deny_spam};
  const other_rules unset{};
  const rules from_set{.check_event_allowed = set.allowed};
  const rules from_unset{.check_event_allowed = unset.allowed};
  CHECK(static_cast<bool>(from_set.check_event_allowed));
  CHECK_FALSE(allowed(from_set, spam));
  CHECK_FALSE(from_unset.check_event_allowed);
  hooks h;
  REQUIRE(h.load("m", [&](hooks::api& api) { REQUIRE(api.register_callbacks(rules{from_unset})); }));
  h.seal();
  CHECK(h.implementation_count<&rules::check_event_allowed>() == 0);
}

namespace {
bool quiet_check(const event&) noexcept { return true; }
struct quiet_module {
  bool check(const event&) noexcept { return true; }
  bool loud_check(const event&) { return true; }
};
quiet_module quiet;
struct lookups {
  MODHOOK_CALLBACKS(lookups, (find, modhook::first_result, std::optional<std::string>(int)));
};
} // namespace

TEST_CASE("callables of every kind, noexcept or not, fill constexpr slots, and a result converts") {
  constexpr rules function{.check_event_allowed = &quiet_check};
  constexpr rules bound_function{.check_event_allowed = modhook::bind<&quiet_check>()};
  constexpr rules bound_member{.check_event_allowed = modhook::bind<&quiet_module::check>(quiet)};
  constexpr rules loud_member{.check_event_allowed = modhook::bind<&quiet_module::loud_check>(quiet)};
  constexpr rules stateless{.check_event_allowed = [](const event&) noexcept { return true; }};
  static_assert(static_cast<bool>(function.check_event_allowed));
  static_assert(static_cast<bool>(bound_function.check_event_allowed));
  static_assert(static_cast<bool>(bound_member.check_event_allowed));
  static_assert(static_cast<bool>(loud_member.check_event_allowed));
  static_assert(static_cast<bool>(stateless.check_event_allowed));
  CHECK(allowed(function, ham));
  CHECK(allowed(bound_function, ham));
  CHECK(allowed(bound_member, ham));
  CHECK(allowed(loud_member, ham));
  CHECK(allowed(stateless, ham));
  // A noexcept callable whose result converts to the callback's (const char* to std::string).
  const lookups converting{.find = [](int) noexcept -> const char* { return "x"; }};
  CHECK(*converting.find(1) == "x");
}
