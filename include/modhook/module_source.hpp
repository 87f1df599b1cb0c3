// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_MODULE_SOURCE_HPP
#define MODHOOK_MODULE_SOURCE_HPP

#include <modhook/failure.hpp>
#include <modhook/detail/config.hpp>
#include <modhook/detail/module_table.hpp>

#include <cstddef>
#include <string_view>

MODHOOK_BEGIN_NAMESPACE

/// Names, on demand, the module whose outcome a policy's combiner is looking at. It holds only
/// what a dispatch loop has at hand anyway (its table and position), so it costs nothing until
/// a combiner calls it, which it does only when a module decides.
class module_source {
public:
  constexpr module_source(const detail::module_table& table, const void* position) noexcept
      : table_(&table), position_(position) {}
  /// The module.
  MODHOOK_ALWAYS_INLINE constexpr module_ref operator()() const noexcept {
    // Copied member by member: were the call to return straight into the caller's object
    // (clang merges a plain copy away), that object's address would escape into the call,
    // and a dispatch result holding it would be kept in memory on every path.
    static_assert(sizeof(module_ref) == sizeof(std::size_t) + sizeof(std::string_view),
                  "module_ref gained a member: copy it here too");
    const module_ref ref = table_->resolve(*table_, position_);
    return module_ref{ref.index, ref.name};
  }
  /// The callback being dispatched.
  constexpr const callback_ref& callback() const noexcept { return table_->callback; }

private:
  const detail::module_table* table_;
  const void* position_;
};

MODHOOK_END_NAMESPACE

#endif
