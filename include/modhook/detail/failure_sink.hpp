// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_DETAIL_FAILURE_SINK_HPP
#define MODHOOK_DETAIL_FAILURE_SINK_HPP

// Where a dispatch reports failures besides its policy: the registry's failure handler.

#include <modhook/failure.hpp>
#include <modhook/detail/config.hpp>

MODHOOK_BEGIN_NAMESPACE
namespace detail {

// Where failures go besides the combiner: the registry's failure handler.
struct failure_sink {
  void (*report)(const void* context, const failure<>& f) noexcept;
  const void* context;
};
// A module's failure, to a handler (a callable; an empty one, tested as false, is skipped);
// what the handler throws is dropped: reporting never makes a dispatch fail.
template <class Handler>
void report(const void* handler, const failure<>& f) noexcept {
  auto& call = *static_cast<Handler*>(const_cast<void*>(handler));
  if constexpr (requires { static_cast<bool>(call); })
    if (!static_cast<bool>(call)) return;
#if MODHOOK_HAS_EXCEPTIONS
  try {
    call(f);
  } catch (...) {}
#else
  call(f);
#endif
}

// A sink as a driver takes one: an object whose get() gives it (see static_registry.hpp).
struct given_sink {
  failure_sink sink;
  constexpr failure_sink get() const noexcept { return sink; }
};

} // namespace detail
MODHOOK_END_NAMESPACE

#endif
