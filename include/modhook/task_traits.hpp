// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_TASK_TRAITS_HPP
#define MODHOOK_TASK_TRAITS_HPP

#include <modhook/version.hpp>

MODHOOK_BEGIN_NAMESPACE

/// task_traits<Task>: what modhook needs of a coroutine type to make callbacks returning it
/// asynchronous. Specialize it, where the type is declared, with
///   using value_type = ...;                       // what co_await on a Task gives
///   template <class U> using rebind = ...;        // the same task type, of U
/// and, when a coroutine of the type may co_await any awaitable (not only its own kind),
///   static constexpr bool awaits_any = true;
/// which makes a dispatch an awaitable that holds its own state and runs without a coroutine
/// frame when every implementation is a plain callable (and becomes a Task with as_task()).
/// Such a Task must also be default-constructible (holding no coroutine), move-assignable,
/// tested with `explicit operator bool` (whether it holds one), give the value of one that is
/// done with `result()` (rethrowing its exception), and have a member `operator co_await() &&`
/// whose awaiter may be a temporary and whose await_suspend returns the coroutine handle to
/// resume, as modhook::task does. Without
/// awaits_any, a dispatch is a coroutine of the task type. modhook::task (task.hpp) and, in modhook/asio.hpp,
/// boost::asio::awaitable have one.
template <class Task>
struct task_traits {};

namespace detail {

template <class T>
concept task_type = requires { typename task_traits<T>::value_type; };

template <class Task>
concept awaits_in_place = requires { requires task_traits<Task>::awaits_any; };

} // namespace detail

MODHOOK_END_NAMESPACE

#endif
