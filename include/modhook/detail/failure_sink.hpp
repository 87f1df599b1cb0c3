// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_DETAIL_FAILURE_SINK_HPP
#define MODHOOK_DETAIL_FAILURE_SINK_HPP

// Where a dispatch reports failures besides its policy: the registry's failure handler.

#include <modhook/failure.hpp>

MODHOOK_BEGIN_NAMESPACE
namespace detail {

// Where failures go besides the combiner: the registry's failure handler.
struct failure_sink {
  void (*report)(const void* context, const failure<>& f) noexcept;
  const void* context;
};
// A sink as a driver takes one: an object whose get() gives it (see static_registry.hpp).
struct given_sink {
  failure_sink sink;
  constexpr failure_sink get() const noexcept { return sink; }
};

} // namespace detail
MODHOOK_END_NAMESPACE

#endif
