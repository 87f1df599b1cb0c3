// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_ASIO_HPP
#define MODHOOK_ASIO_HPP

// Boost.Asio's awaitable<T> as a task type: a callback returning asio::awaitable<T> is
// asynchronous, its implementations are Asio coroutines (or plain callables), and its
// dispatch is an awaitable an Asio coroutine co_awaits (an Asio coroutine can only await
// Asio awaitables, so an Asio-typed callback's dispatch is one).
//
// Include this instead of <boost/asio/awaitable.hpp> where a category names awaitable<T>.
// Boost 1.74 on this toolchain needs two things first: <utility> before awaitable.hpp (g++
// 12), which this header includes; and, with libc++ (16) in C++20 or C++2b mode, the type
// traits libc++ removes there (std::result_of): _LIBCPP_ENABLE_CXX20_REMOVED_TYPE_TRAITS,
// defined before any standard header, so on the command line; this header says so if not.

#include <utility>

#if defined(_LIBCPP_VERSION) && __cplusplus >= 202002L && !defined(_LIBCPP_ENABLE_CXX20_REMOVED_TYPE_TRAITS)
#error                                                                                                                 \
    "modhook/asio.hpp: with libc++ at C++20 and later, Boost.Asio 1.74 needs -D_LIBCPP_ENABLE_CXX20_REMOVED_TYPE_TRAITS"
#include <modhook/compilation_stops_here> // fatal: no cascade of Asio's errors after this one
#endif

#include <boost/asio/awaitable.hpp>

#include <modhook/task_traits.hpp>

MODHOOK_BEGIN_NAMESPACE

template <class T, class Executor>
struct task_traits<boost::asio::awaitable<T, Executor>> {
  using value_type = T;
  template <class U>
  using rebind = boost::asio::awaitable<U, Executor>;
};

MODHOOK_END_NAMESPACE

#endif
