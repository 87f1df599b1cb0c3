// What a category declaration gives: names at run time, a Hana Struct, an aggregate.

#include "test_categories.hpp"

#include <catch2/catch.hpp>

#include <boost/hana/at_key.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/keys.hpp>
#include <boost/hana/length.hpp>

#include <string>
#include <type_traits>
#include <vector>

using namespace test;

static_assert(modhook::category<rules>);
static_assert(!modhook::category<event>);
static_assert(std::is_aggregate_v<rules>);
static_assert(modhook::callback_member<&rules::on_new_event>);
static_assert(std::is_same_v<modhook::category_of<&rules::on_new_event>, rules>);
static_assert(std::is_same_v<modhook::slot_of<&rules::on_new_event>::signature, void(const event&)>);
static_assert(std::is_same_v<modhook::slot_of<&rules::on_new_event>::policy, modhook::run_all>);
static_assert(std::is_same_v<modhook::slot_of<&rules::check_username>::value_type, bool>);
static_assert(std::is_same_v<modhook::slot_of<&rules::check_username>::error_type, module_error>);
static_assert(std::is_same_v<modhook::slot_of<&rules::on_bind>::value_type, std::monostate>);
static_assert(modhook::category_name<rules> == "rules");
static_assert(modhook::callback_name<&rules::is_user_expired> ==
              modhook::callback_ref{"rules", "is_user_expired"});
static_assert(!modhook::policy_for<modhook::first_result, bool, void>);
static_assert(!modhook::policy_for<modhook::all_must_pass, int, void>);
static_assert(!modhook::policy_for<modhook::run_all, bool, void>);
static_assert(modhook::policy_for<modhook::first_exception, std::monostate, module_error>);

TEST_CASE("callback names are available at run time, in declaration order") {
  const auto names = modhook::callback_names<rules>;
  REQUIRE(names.size() == 9);
  CHECK(names[0] == "check_event_allowed");
  CHECK(names[8] == "users_to_notify");
  CHECK(modhook::callback_names<account>.size() == 1);
  CHECK(modhook::callback_names<nothing_here>.empty());
}

TEST_CASE("a category is a Boost.Hana Struct keyed by callback name") {
  namespace hana = boost::hana;
  std::vector<std::string> keys;
  hana::for_each(hana::keys(rules{}), [&](auto key) { keys.emplace_back(hana::to<const char*>(key)); });
  CHECK(keys.size() == 9);
  CHECK(keys[4] == "on_new_event");
  const rules r{.on_new_event = [](const event&) {}};
  CHECK(static_cast<bool>(hana::at_key(r, BOOST_HANA_STRING("on_new_event"))));
  CHECK_FALSE(hana::at_key(r, BOOST_HANA_STRING("check_event_allowed")));
  static_assert(decltype(hana::length(hana::keys(account{})))::value == 1);
}

namespace {
// More callbacks than BOOST_HANA_DEFINE_STRUCT's 40-member limit.
#define CB(n) (cb##n, modhook::run_all, void(int))
struct wide {
  MODHOOK_CALLBACKS(wide, CB(0), CB(1), CB(2), CB(3), CB(4), CB(5), CB(6), CB(7), CB(8), CB(9), CB(10), CB(11),
                    CB(12), CB(13), CB(14), CB(15), CB(16), CB(17), CB(18), CB(19), CB(20), CB(21), CB(22), CB(23),
                    CB(24), CB(25), CB(26), CB(27), CB(28), CB(29), CB(30), CB(31), CB(32), CB(33), CB(34), CB(35),
                    CB(36), CB(37), CB(38), CB(39), CB(40), CB(41), CB(42), CB(43), CB(44), CB(45), CB(46), CB(47));
};
#undef CB
} // namespace

TEST_CASE("a category may have more than 40 callbacks") {
  CHECK(modhook::callback_names<wide>.size() == 48);
  CHECK(modhook::callback_names<wide>[47] == "cb47");
  modhook::registry<wide> h;
  int sum = 0;
  REQUIRE(h.load("m", [&](auto& api) { REQUIRE(api.register_callbacks(wide{.cb47 = [&](int x) { sum += x; }})); }));
  h.seal();
  CHECK(h.dispatch<&wide::cb47>(5).ok());
  CHECK(sum == 5);
}
