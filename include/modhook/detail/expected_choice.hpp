// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_DETAIL_EXPECTED_CHOICE_HPP
#define MODHOOK_DETAIL_EXPECTED_CHOICE_HPP

// Which expected type modhook uses, decided before anything is declared: the choice names
// the inline namespace (version.hpp), so a translation unit built with std::expected and one
// built with tl::expected never define the same symbol two ways.
//
// -DMODHOOK_EXPECTED=std or -DMODHOOK_EXPECTED=tl picks one (CMake's MODHOOK_EXPECTED option
// sets it for every user of modhook::modhook). Left undefined: std::expected where the
// standard library has it, else tl::expected where <tl/expected.hpp> is found.
// Sets MODHOOK_EXPECTED_IS_STD to 1 (std::expected) or 0 (tl::expected).

#include <version>

// MODHOOK_DETAIL_EXPECTED_CHOICE(x): 1 for std, 2 for tl, 0 for anything else, leaving no
// undefined name in an #if (-Wundef): the choice's macro expands to "~, n", and SECOND picks n.
#define MODHOOK_DETAIL_EXPECTED_CHOICE_std ~, 1
#define MODHOOK_DETAIL_EXPECTED_CHOICE_tl ~, 2
#define MODHOOK_DETAIL_SECOND(a, b, ...) b
#define MODHOOK_DETAIL_SECOND_I(...) MODHOOK_DETAIL_SECOND(__VA_ARGS__)
#define MODHOOK_DETAIL_EXPECTED_CHOICE_I(choice) MODHOOK_DETAIL_EXPECTED_CHOICE_##choice
#define MODHOOK_DETAIL_EXPECTED_CHOICE(choice) MODHOOK_DETAIL_SECOND_I(MODHOOK_DETAIL_EXPECTED_CHOICE_I(choice), 0, 0)

#if defined(__cpp_lib_expected) && __cpp_lib_expected >= 202202L
#define MODHOOK_DETAIL_HAS_STD_EXPECTED 1
#else
#define MODHOOK_DETAIL_HAS_STD_EXPECTED 0
#endif

// Each #error is followed by a header that does not exist: a missing header is fatal on
// every compiler, so compilation stops at the error instead of a cascade of undeclared names.
// The messages stay on one line each, where the compiler quotes them.
// clang-format off
#if defined(MODHOOK_EXPECTED)
#if MODHOOK_DETAIL_EXPECTED_CHOICE(MODHOOK_EXPECTED) == 1
#if !MODHOOK_DETAIL_HAS_STD_EXPECTED
#error "modhook: MODHOOK_EXPECTED=std, but this standard library has no std::expected (C++23: g++ 12 with -std=c++23, or clang++ 16 with libc++ 16 and -std=c++2b)"
#include <modhook/compilation_stops_here>
#endif
#define MODHOOK_EXPECTED_IS_STD 1
#elif MODHOOK_DETAIL_EXPECTED_CHOICE(MODHOOK_EXPECTED) == 2
#if !__has_include(<tl/expected.hpp>)
#error "modhook: MODHOOK_EXPECTED=tl, but <tl/expected.hpp> is not found (install tl-expected; with CMake, find_package(tl-expected))"
#include <modhook/compilation_stops_here>
#endif
#define MODHOOK_EXPECTED_IS_STD 0
#else
#error "modhook: MODHOOK_EXPECTED must be std or tl (or left undefined, to choose std::expected where it exists)"
#include <modhook/compilation_stops_here>
#endif
#elif MODHOOK_DETAIL_HAS_STD_EXPECTED
#define MODHOOK_EXPECTED_IS_STD 1
#elif __has_include(<tl/expected.hpp>)
#define MODHOOK_EXPECTED_IS_STD 0
#else
#error "modhook: no expected type: use a standard library with std::expected (g++ 12 with -std=c++23, clang++ 16 with libc++ 16 and -std=c++2b) or make tl::expected available (find_package(tl-expected))"
#include <modhook/compilation_stops_here>
#endif
// clang-format on

#endif
