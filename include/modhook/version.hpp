// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_VERSION_HPP
#define MODHOOK_VERSION_HPP

#include <modhook/detail/expected_choice.hpp>

// The one place the version is written: CMakeLists.txt reads it from here.
#define MODHOOK_VERSION_MAJOR 0
#define MODHOOK_VERSION_MINOR 1
#define MODHOOK_VERSION_PATCH 0
#define MODHOOK_VERSION (MODHOOK_VERSION_MAJOR * 10000 + MODHOOK_VERSION_MINOR * 100 + MODHOOK_VERSION_PATCH)

// Every entity lives in an inline namespace named after the version and the expected type
// (v0_std, v0_tl): two incompatible modhook versions linked into one program fail to link
// instead of silently mixing layouts, and translation units built with different expected
// types define different symbols instead of one symbol two ways.
#if MODHOOK_EXPECTED_IS_STD
#define MODHOOK_DETAIL_ABI_NAMESPACE v0_std
#else
#define MODHOOK_DETAIL_ABI_NAMESPACE v0_tl
#endif
// clang-format off
#define MODHOOK_BEGIN_NAMESPACE namespace modhook { inline namespace MODHOOK_DETAIL_ABI_NAMESPACE {
#define MODHOOK_END_NAMESPACE } }
// clang-format on

#endif
