// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_DETAIL_COLD_ARGUMENT_HPP
#define MODHOOK_DETAIL_COLD_ARGUMENT_HPP

// How the hot path hands a dispatch's arguments to its cold path.

#include <modhook/detail/config.hpp>

#include <cstddef>
#include <tuple>
#include <type_traits>

MODHOOK_BEGIN_NAMESPACE
namespace detail {

// How a value travels to a cold function: small trivially copyable ones by value, so that
// on the hot path they may stay in registers (a reference would force them into memory);
// everything else by reference.
template <class T>
inline constexpr bool pass_by_value = std::is_trivially_copyable_v<T> && sizeof(T) <= 2 * sizeof(void*);

// Argument I of a dispatch on its way to the cold path. A value the dispatch owns (an
// argument it converted) no module can reach: a small trivially copyable one is copied, so
// that the hot path may keep it in a register. A reference, the caller's object, stays a
// reference: the modules after a failure are called with the argument as it is then, as
// those before it were (see signature::module_arguments).
template <class Signature, std::size_t I, class Prepared>
constexpr decltype(auto) cold_argument(Prepared& prepared) noexcept {
  using element = std::tuple_element_t<I, Prepared>;
  using type = std::remove_const_t<std::remove_reference_t<element>>;
  if constexpr (!std::is_reference_v<typename Signature::template parameter<I>> && !std::is_reference_v<element> &&
                pass_by_value<type>)
    return type(std::get<I>(prepared));
  else
    return (std::get<I>(prepared));
}

// The type a cold function declares for such an argument: a value, or a reference. Named
// explicitly, as a by-value parameter (`Args... args`), so that a value travels in a register
// rather than through a temporary in memory, as a forwarding reference would make it.
template <class Signature, std::size_t I, class Prepared>
using cold_argument_t = decltype(cold_argument<Signature, I>(std::declval<Prepared&>()));

} // namespace detail
MODHOOK_END_NAMESPACE

#endif
