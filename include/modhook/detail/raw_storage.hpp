// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_DETAIL_RAW_STORAGE_HPP
#define MODHOOK_DETAIL_RAW_STORAGE_HPP

// Room for a value constructed later (or never) and destroyed by hand.

#include <modhook/detail/config.hpp>

#include <utility>

MODHOOK_BEGIN_NAMESPACE
namespace detail {

// Room for a value constructed later (or never) and destroyed by hand: a callback's result,
// constructed straight from the call so only the call sits inside the try block (a policy's
// own exception is never mistaken for a module's failure); or a dispatch result filled in by
// the cold path while the hot path leaves it alone.
template <class T>
struct destroy_on_exit {
  T& value;
  ~destroy_on_exit() { value.~T(); }
};

template <class T>
union returned {
  T value;
  returned() noexcept {}
  ~returned() {}

  // Destroys the value even when moving it out throws.
  T take() {
    destroy_on_exit<T> guard{value};
    return T(std::move(value));
  }
};

} // namespace detail
MODHOOK_END_NAMESPACE

#endif
