// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_PLACEMENT_HPP
#define MODHOOK_PLACEMENT_HPP

#include <modhook/detail/config.hpp>

#include <array>
#include <string>
#include <vector>

MODHOOK_BEGIN_NAMESPACE

/// Where a module's implementations stand among the others': every `first` module's before
/// every `middle` one's, and those before every `last` one's.
enum class position { first, middle, last };

/// A module's place in the order its callbacks are called in: a coarse position, and the
/// modules (by name) it must come before or after. Among modules the placements leave free,
/// load order. A name that is not loaded constrains nothing (until such a module loads);
/// placements that contradict each other (a cycle, a position included) are refused, naming
/// every module of the cycle.
///
///     api.place({.where = modhook::position::first, .before = {"audit"}});
struct placement {
  position where = position::middle;
  std::vector<std::string> before{}; ///< modules whose implementations come after this one's
  std::vector<std::string> after{};  ///< modules whose implementations come before this one's
};

/// A static registry module's place (see modhook::placed): the other listed modules it comes
/// before and after, by address, at most 8 of each.
struct static_placement {
  position where = position::middle;
  std::array<const void*, 8> before{}; ///< listed module objects called after this one
  std::array<const void*, 8> after{};  ///< listed module objects called before this one
};

MODHOOK_END_NAMESPACE

#endif
