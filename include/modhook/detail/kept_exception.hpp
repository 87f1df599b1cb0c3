// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_DETAIL_KEPT_EXCEPTION_HPP
#define MODHOOK_DETAIL_KEPT_EXCEPTION_HPP

// The exception a fast path caught, kept for its cold path.

#include <modhook/detail/config.hpp>

#include <cstddef>
#include <exception>
#include <new>
#include <utility>

MODHOOK_BEGIN_NAMESPACE
namespace detail {

// The exception a fast path caught, kept from its handler until the cold path takes it.
// Kept per thread rather than in the hot function's frame: the landing pad then holds no
// address across the calls that end the handler, which would cost the hot path a
// callee-saved register. Nothing that could dispatch runs between keeping and taking (ending
// the handler only drops the reference current_exception() did not take; the driver takes it
// before it destroys the host's copies of a module's arguments, when they have destructors),
// so nested dispatches never meet here.
// `Where` is the driver's: the static registry keeps the module's position there. A function
// per position rather than an argument: landing pads that differ only in a constant are
// merged by clang, which then holds the constant across the calls that begin the handler.
// The slot is raw storage, so that it is trivial: no thread-exit destructor is registered
// (which would pin a dlopen'ed module that uses modhook until the thread ends).
struct kept_exception {
  struct state {
    alignas(std::exception_ptr) unsigned char exception[sizeof(std::exception_ptr)];
    std::size_t where;
  };
  static state& slot() noexcept {
    thread_local state kept;
    return kept;
  }
  template <std::size_t Where>
  MODHOOK_NOINLINE MODHOOK_COLD static void keep() noexcept {
    state& kept = slot();
    ::new (static_cast<void*>(kept.exception)) std::exception_ptr(std::current_exception());
    kept.where = Where;
  }
  static std::size_t where() noexcept { return slot().where; }
  static std::exception_ptr take() noexcept {
    auto* kept = std::launder(reinterpret_cast<std::exception_ptr*>(slot().exception));
    std::exception_ptr exception = std::move(*kept);
    kept->~exception_ptr();
    return exception;
  }
};

} // namespace detail
MODHOOK_END_NAMESPACE

#endif
