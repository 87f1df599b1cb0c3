// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_DETAIL_ASYNC_STEP_HPP
#define MODHOOK_DETAIL_ASYNC_STEP_HPP

// What makes a callback asynchronous, without <coroutine>: a signature whose result is a
// task type (task_traits names it), and what one implementation of it gives back. Code that
// declares no asynchronous callback includes only this.

#include <modhook/version.hpp>

#include <memory>
#include <type_traits>
#include <utility>
#include <variant>

MODHOOK_BEGIN_NAMESPACE

/// task_traits<Task>: what modhook needs of a coroutine type to make callbacks returning it
/// asynchronous. Specialize it with
///   using value_type = ...;                       // what co_await on a Task gives
///   template <class U> using rebind = ...;        // the same task type, of U
/// modhook::task (task.hpp) and, in modhook/asio.hpp, boost::asio::awaitable have one.
template <class Task>
struct task_traits {};

namespace detail {

template <class T>
concept task_type = requires { typename task_traits<T>::value_type; };

// One implementation's answer in an asynchronous slot: the value of a plain callable,
// called inline (no coroutine frame), or the task of a coroutine, to be awaited.
template <class Task, class R>
class async_step {
public:
  using task = Task;
  using stored = std::conditional_t<std::is_void_v<R>, std::monostate, R>;

  // How an invoker makes one from its call, whatever the callable returned.
  template <class Call>
  static async_step from(Call&& call) {
    using given = decltype(call());
    if constexpr (std::is_same_v<std::remove_cvref_t<given>, Task>) {
      return async_step(std::in_place_type<Task>, call());
    } else if constexpr (std::is_void_v<given> || std::is_void_v<R>) {
      (void)call(); // a void callback ignores what a plain callable returns, as a sync one does
      return async_step(std::in_place_type<stored>);
    } else {
      return async_step(std::in_place_type<stored>, call());
    }
  }

  async_step(const async_step&) = delete;
  async_step& operator=(const async_step&) = delete;
  ~async_step() {
    if (is_task_)
      std::destroy_at(std::addressof(task_));
    else
      std::destroy_at(std::addressof(value_));
  }

  bool is_task() const noexcept { return is_task_; }
  Task& awaited() noexcept { return task_; } // awaited where it is, in the driver's frame
  stored& value() noexcept { return value_; }

private:
  template <class T, class... X>
  explicit async_step(std::in_place_type_t<T>, X&&... x) : is_task_(std::is_same_v<T, Task>) {
    if constexpr (std::is_same_v<T, Task>)
      std::construct_at(std::addressof(task_), static_cast<X&&>(x)...);
    else
      std::construct_at(std::addressof(value_), static_cast<X&&>(x)...);
  }
  union {
    stored value_;
    Task task_;
  };
  bool is_task_;
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
