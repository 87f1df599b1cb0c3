// EXPECT: modhook_error_a_category_holds_at_most_128_callbacks
// DIAGNOSTICS: at most 27 lines, the first error naming modhook_error_a_category_holds_at_most_128_callbacks
// One entry more than the for-each takes (detail/pp.hpp): one error that says so, where a
// failed token paste printed 216 lines (g++ adds the macros it sits in, clang++ a second
// error for the list of names the first one breaks). The twin has exactly 128.
#include "common.hpp"

#define E(n) (cb##n, modhook::run_all, void(int))
#ifdef MODHOOK_VALID_TWIN
#define ONE_MORE
#else
#define ONE_MORE , E(128)
#endif
struct wide {
  MODHOOK_CALLBACKS(wide,
    E(0), E(1), E(2), E(3), E(4), E(5), E(6), E(7), E(8), E(9), E(10), E(11), E(12), E(13),
    E(14), E(15), E(16), E(17), E(18), E(19), E(20), E(21), E(22), E(23), E(24), E(25), E(26),
    E(27), E(28), E(29), E(30), E(31), E(32), E(33), E(34), E(35), E(36), E(37), E(38), E(39),
    E(40), E(41), E(42), E(43), E(44), E(45), E(46), E(47), E(48), E(49), E(50), E(51), E(52),
    E(53), E(54), E(55), E(56), E(57), E(58), E(59), E(60), E(61), E(62), E(63), E(64), E(65),
    E(66), E(67), E(68), E(69), E(70), E(71), E(72), E(73), E(74), E(75), E(76), E(77), E(78),
    E(79), E(80), E(81), E(82), E(83), E(84), E(85), E(86), E(87), E(88), E(89), E(90), E(91),
    E(92), E(93), E(94), E(95), E(96), E(97), E(98), E(99), E(100), E(101), E(102), E(103),
    E(104), E(105), E(106), E(107), E(108), E(109), E(110), E(111), E(112), E(113), E(114),
    E(115), E(116), E(117), E(118), E(119), E(120), E(121), E(122), E(123), E(124), E(125),
    E(126), E(127) ONE_MORE);
};
