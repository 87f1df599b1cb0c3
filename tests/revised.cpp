// Older signatures (modhook::revised): an implementation written against an older form of a
// callback's signature (fewer parameters, or an older result type the category converts) is
// adapted where it is given, on every registry, synchronous and asynchronous. The compiler's
// deprecation warning is checked by compile_fail/older_parameters.cpp and older_result.cpp;
// here it is expected, and silenced.
#if defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#endif

#include <modhook/bind.hpp>
#include <modhook/live_registry.hpp>
#include <modhook/registry.hpp>
#include <modhook/static_registry.hpp>
#include <modhook/task.hpp>

#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace {

struct event {
  std::string body;
};
// Named as the slot's own member types are: the entry's types are the user's, not these.
struct context {
  int depth = 0;
};
struct signature {
  std::string room;
};
// (In the order that makes a cast from bool wrong: only the declared conversion gives the right one.)
enum class spam_verdict { spam, not_spam };

} // namespace

template <>
struct modhook::pass_traits<spam_verdict> {
  static constexpr bool passes(spam_verdict v) noexcept { return v == spam_verdict::not_spam; }
};

namespace {

// Synapse's legacy check_event_for_spam answered a bool: true was spam.
constexpr spam_verdict verdict_from_bool(bool is_spam) noexcept {
  return is_spam ? spam_verdict::spam : spam_verdict::not_spam;
}

struct spam_checker {
  MODHOOK_CALLBACKS(spam_checker,
    (check_event_for_spam, modhook::all_must_pass,
     modhook::revised<spam_verdict(const event&, const context&, const signature&),
                      modhook::older<spam_verdict(const event&, const context&)>,
                      modhook::older<spam_verdict(const event&)>,
                      modhook::older<bool(const event&), &verdict_from_bool>>),
    (on_new_event, modhook::run_all,
     modhook::revised<void(std::vector<std::string>&, std::string, int), modhook::older<void(std::vector<std::string>&)>>),
    (check_later, modhook::all_must_pass,
     modhook::revised<modhook::task<bool>(const event&, int), modhook::older<modhook::task<bool>(const event&)>>));
};

spam_verdict current_form(const event& e, const context& c, const signature& s) {
  return e.body == "current" && c.depth == 1 && s.room == "!r" ? spam_verdict::spam : spam_verdict::not_spam;
}
spam_verdict without_signature(const event& e, const context& c) {
  return e.body == "two" && c.depth == 1 ? spam_verdict::spam : spam_verdict::not_spam;
}
spam_verdict event_only(const event& e) { return e.body == "one" ? spam_verdict::spam : spam_verdict::not_spam; }
bool legacy_bool(const event& e) { return e.body == "legacy"; }

template <class Hooks>
void load_every_form(Hooks& h) {
  using api = typename Hooks::api;
  REQUIRE(h.load("current", [](api& a) { REQUIRE(a.register_callbacks(spam_checker{.check_event_for_spam = &current_form})); }));
  REQUIRE(h.load("two", [](api& a) {
    REQUIRE(a.register_callbacks(spam_checker{
        .check_event_for_spam = &without_signature,
        .on_new_event = [](std::vector<std::string>& seen) { seen.push_back("two"); }}));
  }));
  REQUIRE(h.load("one", [](api& a) { REQUIRE(a.register_callbacks(spam_checker{.check_event_for_spam = &event_only})); }));
  REQUIRE(h.load("legacy", [](api& a) {
    REQUIRE(a.register_callbacks(spam_checker{
        .check_event_for_spam = &legacy_bool,
        .on_new_event = [](std::vector<std::string>& seen, std::string body, int n) {
          seen.push_back(body + std::to_string(n));
        }}));
  }));
}

template <class Hooks>
void check_every_form(const Hooks& h) {
  const context ctx{1};
  const signature sig{"!r"};
  const auto decided = [&](const char* body) -> std::string {
    const auto v = h.template dispatch<&spam_checker::check_event_for_spam>(event{body}, ctx, sig);
    return v.passed() ? "passed" : std::string(v.decided_by()->name);
  };
  CHECK(decided("current") == "current");
  CHECK(decided("two") == "two");
  CHECK(decided("one") == "one");
  CHECK(decided("legacy") == "legacy"); // true, converted: spam
  CHECK(decided("fine") == "passed");   // false, converted: not spam
  std::vector<std::string> seen;
  h.template dispatch<&spam_checker::on_new_event>(seen, std::string("b"), 7);
  CHECK(seen == std::vector<std::string>{"two", "b7"});
}

} // namespace

TEST_CASE("revised: implementations of every older form are adapted, in a registry") {
  modhook::registry<spam_checker> h;
  load_every_form(h);
  h.seal();
  check_every_form(h);
}

TEST_CASE("revised: implementations of every older form are adapted, in a live registry") {
  modhook::live_registry<spam_checker> h;
  load_every_form(h);
  check_every_form(h);
}

namespace {
constexpr spam_checker static_current{.check_event_for_spam = &current_form};
constexpr spam_checker static_one{.check_event_for_spam = [](const event& e) {
  return e.body == "one" ? spam_verdict::spam : spam_verdict::not_spam;
}};
constexpr spam_checker static_legacy{
    .check_event_for_spam = [](const event& e) { return e.body == "legacy"; },
    .on_new_event = [](std::vector<std::string>& seen) { seen.push_back("legacy"); }};
// A function of an older form, as a constant: bound (a bare pointer would be the adapter's state).
constexpr spam_checker static_bound{.check_event_for_spam = modhook::bind<&without_signature>()};
using static_hooks = modhook::static_registry<static_current, static_one, static_legacy, static_bound>;
} // namespace

TEST_CASE("revised: a static registry's modules of older forms (stateless callables) are adapted") {
  const context ctx{1};
  const signature sig{"!r"};
  const auto v = static_hooks::dispatch<&spam_checker::check_event_for_spam>(event{"legacy"}, ctx, sig);
  REQUIRE(v.rejected());
  CHECK(v.decided_by()->index == 2);
  CHECK(static_hooks::dispatch<&spam_checker::check_event_for_spam>(event{"one"}, ctx, sig).decided_by()->index == 1);
  CHECK(static_hooks::dispatch<&spam_checker::check_event_for_spam>(event{"two"}, ctx, sig).decided_by()->index == 3);
  CHECK(static_hooks::dispatch<&spam_checker::check_event_for_spam>(event{"fine"}, ctx, sig).passed());
  std::vector<std::string> seen;
  static_hooks::dispatch<&spam_checker::on_new_event>(seen, std::string("x"), 1);
  CHECK(seen == std::vector<std::string>{"legacy"});
}

TEST_CASE("revised: an adapted stateless callable is stored as one, with nothing added") {
  auto stateless = [](const event&) { return true; };
  using adapter = modhook::detail::older_adapter_t<decltype(stateless),
                                                   modhook::older<bool(const event&), &verdict_from_bool>,
                                                   spam_verdict(const event&, const context&, const signature&)>;
  STATIC_REQUIRE(std::is_empty_v<adapter>);
  STATIC_REQUIRE(std::is_trivially_copyable_v<adapter>);
  using stored = spam_verdict(const event&, const context&, const signature&);
  STATIC_REQUIRE(modhook::detail::storage_for<adapter, stored>::value == modhook::detail::storage_kind::stateless);
  // A function pointer's adapter holds the pointer and nothing else, in the delegate's word.
  using pointer_adapter = modhook::detail::older_adapter_t<bool (*)(const event&),
                                                           modhook::older<bool(const event&), &verdict_from_bool>, stored>;
  STATIC_REQUIRE(sizeof(pointer_adapter) == sizeof(void*));
  STATIC_REQUIRE(modhook::detail::storage_for<pointer_adapter, stored>::value == modhook::detail::storage_kind::in_place);
}

namespace {
modhook::task<bool> later_older(const event& e) { co_return e.body != "no"; }
} // namespace

TEST_CASE("revised: an asynchronous callback's older form, a coroutine or a plain callable, is adapted") {
  modhook::registry<spam_checker> h;
  using api = modhook::registry<spam_checker>::api;
  REQUIRE(h.load("coroutine", [](api& a) { REQUIRE(a.register_callbacks(spam_checker{.check_later = &later_older})); }));
  REQUIRE(h.load("plain", [](api& a) {
    REQUIRE(a.register_callbacks(spam_checker{.check_later = [](const event& e) { return e.body != "never"; }}));
  }));
  h.seal();
  const auto run = [&](const char* body) {
    auto t = [](const modhook::registry<spam_checker>& r, std::string b) -> modhook::task<std::string> {
      const event e{b}; // (named: g++ 12 destroys an aggregate temporary in a co_await operand twice)
      const auto v = co_await r.dispatch<&spam_checker::check_later>(e, 3);
      co_return v.passed() ? std::string("passed") : std::string(v.decided_by()->name);
    }(h, body);
    t.handle().resume();
    REQUIRE(t.done());
    return t.result();
  };
  CHECK(run("yes") == "passed");
  CHECK(run("no") == "coroutine");
  CHECK(run("never") == "plain");
}

namespace {
// false meant "not mine to say": no answer, so that the next module is asked.
constexpr std::optional<bool> answer_from_bool(bool allowed) noexcept {
  return allowed ? std::optional<bool>(true) : std::nullopt;
}
struct logins {
  MODHOOK_CALLBACKS(logins,
    (allowed, modhook::first_result,
     modhook::revised<std::optional<bool>(const std::string&), modhook::older<bool(const std::string&), &answer_from_bool>>));
};
bool legacy_allows_admins(const std::string& user) { return user == "admin"; }
std::optional<bool> strict(const std::string&) { return false; }
} // namespace

TEST_CASE("revised: a callable returning an older result that converts to the current one is taken as the older form") {
  // bool converts to std::optional<bool>, but the category says how a bool reads now: the
  // legacy module's false is no answer, and the next module decides.
  modhook::registry<logins> h;
  using api = modhook::registry<logins>::api;
  REQUIRE(h.load("legacy", [](api& a) { REQUIRE(a.register_callbacks(logins{.allowed = &legacy_allows_admins})); }));
  REQUIRE(h.load("strict", [](api& a) { REQUIRE(a.register_callbacks(logins{.allowed = &strict})); }));
  h.seal();
  const auto admin = h.dispatch<&logins::allowed>(std::string("admin"));
  REQUIRE(admin.has_value());
  CHECK(admin.value() == true);
  CHECK(admin.decided_by()->name == "legacy");
  const auto other = h.dispatch<&logins::allowed>(std::string("eve"));
  REQUIRE(other.has_value());
  CHECK(other.value() == false);
  CHECK(other.decided_by()->name == "strict");
}
