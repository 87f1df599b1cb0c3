// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_VERSION_HPP
#define MODHOOK_VERSION_HPP

// The one place the version is written: CMakeLists.txt reads it from here.
#define MODHOOK_VERSION_MAJOR 0
#define MODHOOK_VERSION_MINOR 1
#define MODHOOK_VERSION_PATCH 0
#define MODHOOK_VERSION (MODHOOK_VERSION_MAJOR * 10000 + MODHOOK_VERSION_MINOR * 100 + MODHOOK_VERSION_PATCH)

#include <modhook/detail/expected_choice.hpp>

// Every entity lives in an inline namespace named after the version (the major version, and
// the minor one while the major is 0: such minor versions are incompatible) and the expected
// type: v0_1_std, v0_1_tl. Two versions of modhook in one program, or translation units
// built with different expected types, are then different entities with different symbols,
// never one symbol defined two ways; passing one's objects to the other fails to link.
#define MODHOOK_DETAIL_ABI_NAME(major, minor, expected) MODHOOK_DETAIL_ABI_NAME_I(major, minor, expected)
#if MODHOOK_VERSION_MAJOR == 0
#define MODHOOK_DETAIL_ABI_NAME_I(major, minor, expected) v##major##_##minor##_##expected
#else
#define MODHOOK_DETAIL_ABI_NAME_I(major, minor, expected) v##major##_##expected
#endif
#if MODHOOK_EXPECTED_IS_STD
#define MODHOOK_DETAIL_ABI_NAMESPACE MODHOOK_DETAIL_ABI_NAME(MODHOOK_VERSION_MAJOR, MODHOOK_VERSION_MINOR, std)
#else
#define MODHOOK_DETAIL_ABI_NAMESPACE MODHOOK_DETAIL_ABI_NAME(MODHOOK_VERSION_MAJOR, MODHOOK_VERSION_MINOR, tl)
#endif
// clang-format off
#define MODHOOK_BEGIN_NAMESPACE namespace modhook { inline namespace MODHOOK_DETAIL_ABI_NAMESPACE {
#define MODHOOK_END_NAMESPACE } }
// clang-format on

#endif
