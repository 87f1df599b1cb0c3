// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_DETAIL_MODULE_TABLE_HPP
#define MODHOOK_DETAIL_MODULE_TABLE_HPP

// Where a dispatch driver finds module names, and the callback's: the first member of a
// driver's per-callback table (a registry's store, a static registry's table), so that a
// module_source is two words and travels in registers.

#include <modhook/failure.hpp>

MODHOOK_BEGIN_NAMESPACE
namespace detail {

struct module_table {
  module_ref (*resolve)(const module_table& table, const void* position) noexcept;
  callback_ref callback;
};

} // namespace detail
MODHOOK_END_NAMESPACE

#endif
