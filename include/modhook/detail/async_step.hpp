// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_DETAIL_ASYNC_STEP_HPP
#define MODHOOK_DETAIL_ASYNC_STEP_HPP

// How an asynchronous slot stores its implementations, without <coroutine>: a callback is
// asynchronous when its signature's result is a task type (task_traits.hpp).

#include <modhook/task_traits.hpp>

#include <type_traits>

MODHOOK_BEGIN_NAMESPACE

namespace detail {

// How an asynchronous slot stores its implementations: as async_step<Task, R>(A'...), a
// function type no callable has. Its delegate (erased.hpp) keeps a plain callable as a
// synchronous slot keeps one, returning R, and a coroutine as a function returning its task,
// so that a dispatch whose implementations are all plain runs the synchronous loop.
template <class Task, class R>
struct async_step {
  using task = Task;
  using value = R;
};

template <class T>
inline constexpr bool is_async_step = false;
template <class Task, class R>
inline constexpr bool is_async_step<async_step<Task, R>> = true;

// How an asynchronous slot declares a parameter: a by-value one as an rvalue reference to
// the copy the driver makes for each module and keeps in its frame until that module's task
// completes, so that a coroutine taking it by reference refers to a live object (the
// invoker's own by-value parameter would be gone at the first suspension). A callback
// declares no rvalue reference parameter, so the mapping is undone by stripping `&&`.
template <class A>
using stored_parameter = std::conditional_t<std::is_reference_v<A>, A, A&&>;
template <class A>
using declared_parameter = std::conditional_t<std::is_rvalue_reference_v<A>, std::remove_reference_t<A>, A>;

// The two function pointer types an asynchronous slot R(A...) stores as they are (so that a
// constexpr module may hold them): a coroutine returning the task, and a plain function
// returning the value, each declared with the callback's parameters. Elsewhere, pointer
// types no function has.
template <class R, class... A>
struct step_functions {
  struct none;
  using task_function = void (*)(none*);
  using value_function = void (*)(none*);
};
template <class Task, class R, class... A>
struct step_functions<async_step<Task, R>, A...> {
  using task_function = Task (*)(declared_parameter<A>...);
  using value_function = R (*)(declared_parameter<A>...);
};

} // namespace detail
MODHOOK_END_NAMESPACE

#endif
