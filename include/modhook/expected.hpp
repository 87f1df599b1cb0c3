// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_EXPECTED_HPP
#define MODHOOK_EXPECTED_HPP

/// modhook::expected: std::expected or tl::expected, as detail/expected_choice.hpp decides.

#include <modhook/version.hpp>

#if MODHOOK_EXPECTED_IS_STD

#include <expected>
MODHOOK_BEGIN_NAMESPACE
template <class T, class E>
using expected = std::expected<T, E>;
using std::unexpected;
MODHOOK_END_NAMESPACE

#else

#include <tl/expected.hpp>
MODHOOK_BEGIN_NAMESPACE
template <class T, class E>
using expected = tl::expected<T, E>;
using tl::unexpected;
MODHOOK_END_NAMESPACE

#endif

#endif
