// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_DETAIL_PP_HPP
#define MODHOOK_DETAIL_PP_HPP

// A preprocessor for-each built on __VA_OPT__ (C++20): no fixed arity table, so a category
// is not limited to the 40 members of BOOST_HANA_DEFINE_STRUCT. The rescans below allow
// 4^4 = 256 elements.

#define MODHOOK_PP_STRINGIZE(...) MODHOOK_PP_STRINGIZE_I(__VA_ARGS__)
#define MODHOOK_PP_STRINGIZE_I(...) #__VA_ARGS__
#define MODHOOK_PP_REMOVE_PARENS(...) __VA_ARGS__

// clang-format off
#define MODHOOK_PP_EXPAND(...) MODHOOK_PP_EXPAND_4(MODHOOK_PP_EXPAND_4(MODHOOK_PP_EXPAND_4(MODHOOK_PP_EXPAND_4(__VA_ARGS__))))
#define MODHOOK_PP_EXPAND_4(...) MODHOOK_PP_EXPAND_3(MODHOOK_PP_EXPAND_3(MODHOOK_PP_EXPAND_3(MODHOOK_PP_EXPAND_3(__VA_ARGS__))))
#define MODHOOK_PP_EXPAND_3(...) MODHOOK_PP_EXPAND_2(MODHOOK_PP_EXPAND_2(MODHOOK_PP_EXPAND_2(MODHOOK_PP_EXPAND_2(__VA_ARGS__))))
#define MODHOOK_PP_EXPAND_2(...) MODHOOK_PP_EXPAND_1(MODHOOK_PP_EXPAND_1(MODHOOK_PP_EXPAND_1(MODHOOK_PP_EXPAND_1(__VA_ARGS__))))
#define MODHOOK_PP_EXPAND_1(...) __VA_ARGS__
// clang-format on

#define MODHOOK_PP_PARENS ()

// MODHOOK_PP_FOR_EACH(m, data, a, b, c) -> m(data, a) m(data, b) m(data, c)
#define MODHOOK_PP_FOR_EACH(macro, data, ...)                                                                          \
  __VA_OPT__(MODHOOK_PP_EXPAND(MODHOOK_PP_FOR_EACH_STEP(macro, data, __VA_ARGS__)))
#define MODHOOK_PP_FOR_EACH_STEP(macro, data, first, ...)                                                              \
  macro(data, first) __VA_OPT__(MODHOOK_PP_FOR_EACH_AGAIN MODHOOK_PP_PARENS(macro, data, __VA_ARGS__))
#define MODHOOK_PP_FOR_EACH_AGAIN() MODHOOK_PP_FOR_EACH_STEP

#endif
