// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_DETAIL_DISPATCH_RESULT_HPP
#define MODHOOK_DETAIL_DISPATCH_RESULT_HPP

// What a dispatch returns: the policy's combiner for a slot, its result, and for an
// asynchronous callback the task of that result.

#include <modhook/task_traits.hpp>
#include <modhook/detail/signature.hpp>

#include <utility>

MODHOOK_BEGIN_NAMESPACE
namespace detail {

template <class Slot>
using combiner_t = typename Slot::policy::template combiner<typename Slot::value_type, typename Slot::error_type>;

// The result a policy's combiner returns for a slot.
template <class Slot>
using dispatch_result_t = decltype(std::declval<combiner_t<Slot>&&>().finish());

// What an asynchronous callback's dispatch returns: its task type, of the policy's result.
template <class Slot>
using async_dispatch_result_t =
    typename task_traits<typename signature<typename Slot::signature>::task>::template rebind<dispatch_result_t<Slot>>;
// What a dispatch returns: the policy's result, or for an asynchronous callback a task of it.
template <class Slot, bool Async = signature<typename Slot::signature>::is_async>
struct dispatch_return {
  using type = dispatch_result_t<Slot>;
};
template <class Slot>
struct dispatch_return<Slot, true> {
  using type = async_dispatch_result_t<Slot>;
};
template <class Slot>
using dispatch_return_t = typename dispatch_return<Slot>::type;

} // namespace detail
MODHOOK_END_NAMESPACE

#endif
