// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_WRAPPER_HPP
#define MODHOOK_WRAPPER_HPP

// What a wrapper is given: the rest of the dispatch it wraps, to run or not.

#include <modhook/detail/config.hpp>

#include <concepts>
#include <memory>
#include <type_traits>

MODHOOK_BEGIN_NAMESPACE

/// The rest of a dispatch, as a wrapper sees it: the wrappers inside it, then every
/// implementation, combined by the callback's policy. `rest()` runs them with the dispatch's
/// arguments and returns what the dispatch would return without this wrapper (a failure
/// inside is in that result, never thrown). Each call runs them again.
///
/// A reference to a callable, as std::function_ref is: it does not own it, and is valid during
/// the wrapper's call only. Constructible from any callable returning `Result`, so that a
/// wrapper can be tested alone:
///
///   auto passes = [] { return modhook::verdict<bool>{}; };
///   assert(my_wrapper(modhook::rest<modhook::verdict<bool>>(passes), some_event).passed());
template <class Result>
class rest {
public:
  template <class F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, rest> && std::is_invocable_r_v<Result, F&>)
  constexpr explicit rest(F& f) noexcept : run_(&run<F>), context_(std::addressof(f)) {}

  /// Runs the rest of the dispatch.
  Result operator()() const { return run_(context_); }

private:
  template <class F>
  static Result run(const void* f) {
    return (*static_cast<F*>(const_cast<void*>(f)))();
  }

  Result (*run_)(const void*);
  const void* context_;
};

MODHOOK_END_NAMESPACE

#endif
