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
// More callbacks than BOOST_HANA_DEFINE_STRUCT's 40-member limit: as many as the for-each
// takes (detail/pp.hpp), 128.
#define CB(n) (cb##n, modhook::run_all, void(int))
struct wide {
  MODHOOK_CALLBACKS(wide,
                    CB(0), CB(1), CB(2), CB(3), CB(4), CB(5), CB(6), CB(7), CB(8), CB(9), CB(10),
                    CB(11), CB(12), CB(13), CB(14), CB(15), CB(16), CB(17), CB(18), CB(19), CB(20),
                    CB(21), CB(22), CB(23), CB(24), CB(25), CB(26), CB(27), CB(28), CB(29), CB(30),
                    CB(31), CB(32), CB(33), CB(34), CB(35), CB(36), CB(37), CB(38), CB(39), CB(40),
                    CB(41), CB(42), CB(43), CB(44), CB(45), CB(46), CB(47), CB(48), CB(49), CB(50),
                    CB(51), CB(52), CB(53), CB(54), CB(55), CB(56), CB(57), CB(58), CB(59), CB(60),
                    CB(61), CB(62), CB(63), CB(64), CB(65), CB(66), CB(67), CB(68), CB(69), CB(70),
                    CB(71), CB(72), CB(73), CB(74), CB(75), CB(76), CB(77), CB(78), CB(79), CB(80),
                    CB(81), CB(82), CB(83), CB(84), CB(85), CB(86), CB(87), CB(88), CB(89), CB(90),
                    CB(91), CB(92), CB(93), CB(94), CB(95), CB(96), CB(97), CB(98), CB(99), CB(100),
                    CB(101), CB(102), CB(103), CB(104), CB(105), CB(106), CB(107), CB(108), CB(109),
                    CB(110), CB(111), CB(112), CB(113), CB(114), CB(115), CB(116), CB(117), CB(118),
                    CB(119), CB(120), CB(121), CB(122), CB(123), CB(124), CB(125), CB(126), CB(127));
};
#undef CB
} // namespace

TEST_CASE("a category may have 128 callbacks, named in order") {
  CHECK(modhook::callback_names<wide>.size() == 128);
  for (std::size_t i = 0; i < 128; ++i) CHECK(modhook::callback_names<wide>[i] == "cb" + std::to_string(i));
  modhook::registry<wide> h;
  int sum = 0;
  REQUIRE(h.load("m", [&](auto& api) {
    REQUIRE(api.register_callbacks(wide{.cb0 = [&](int x) { sum += x; }, .cb127 = [&](int x) { sum += 10 * x; }}));
  }));
  h.seal();
  CHECK(h.dispatch<&wide::cb127>(5).ok());
  CHECK(h.dispatch<&wide::cb0>(1).ok());
  CHECK(sum == 51);
  CHECK(h.implementation_count<&wide::cb64>() == 0);
}
