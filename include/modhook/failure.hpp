// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_FAILURE_HPP
#define MODHOOK_FAILURE_HPP

#include <modhook/detail/config.hpp>

#include <cstddef>
#include <exception>
#include <optional>
#include <string_view>

MODHOOK_BEGIN_NAMESPACE

/// Which module: its position in the registry's load order and its name.
struct module_ref {
  std::size_t index = 0;
  std::string_view name;
  friend constexpr bool operator==(const module_ref&, const module_ref&) = default;
};

/// Which callback: the category's and the callback's names, as declared.
struct callback_ref {
  std::string_view category;
  std::string_view name;
  friend constexpr bool operator==(const callback_ref&, const callback_ref&) = default;
};

template <class Error = void>
struct failure;

/// A module failed (threw, or returned an error value): not a rejection, a failure.
/// `exception` holds what it threw; it is null when the module returned an error value.
template <>
struct failure<void> {
  module_ref module;
  callback_ref callback;
  std::exception_ptr exception;

  bool threw() const noexcept { return exception != nullptr; }

#if MODHOOK_HAS_EXCEPTIONS
  /// Rethrows the module's original exception, if it threw one.
  void rethrow_if_thrown() const {
    if (exception) std::rethrow_exception(exception);
  }
#endif
};

/// The failure of a callback that returns expected<T, Error>: `error` is engaged when the
/// module returned an unexpected value instead of throwing.
template <class Error>
struct failure : failure<void> {
  std::optional<Error> error;
};

MODHOOK_END_NAMESPACE

#endif
