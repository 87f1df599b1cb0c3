// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_DETAIL_DISPATCH_AWAITABLE_HPP
#define MODHOOK_DETAIL_DISPATCH_AWAITABLE_HPP

#include <modhook/task_traits.hpp>
#include <modhook/detail/config.hpp>

#include <cassert>
#include <coroutine>
#include <type_traits>
#include <utility>

MODHOOK_BEGIN_NAMESPACE
namespace detail {

// What a dispatch returns when its task type awaits any awaitable (task_traits::awaits_any, as
// modhook::task does): the dispatch itself, lazy as a task is
// (nothing runs until it is awaited), and its own state, so that a dispatch whose
// implementations are all plain callables needs no coroutine frame: it is ready at once, and
// await_resume runs the synchronous loop over them. Otherwise await_suspend starts the
// asynchronous driver, whose frame refers to the arguments kept here.
// `Task` is the callback's task type of the dispatch's result (modhook::task<R>, or a host's
// own whose task_traits say awaits_any), named here and never included: a task type knows
// nothing of its consumers. `Owner` is the registry's part: plain() (no implementation is a
// coroutine), run_plain() (the synchronous dispatch) and start() (the driver's task), with the
// arguments.
template <class Task, class Owner>
class [[nodiscard]] dispatch_awaitable {
  static_assert(
      requires(Task& task, Task&& other) {
        Task();
        task = static_cast<Task&&>(other);
        static_cast<bool>(task);
        task.result();
      }, "modhook: task_traits<Task>::awaits_any: Task must be default-constructible, move-assignable, tested with "
         "operator bool and give a done task's value with result()");
  // Known at compile time for a static registry: only the path that can run is compiled.
  static constexpr bool plain_known = requires { typename std::bool_constant<Owner::plain()>; };

public:
  using result_type = typename task_traits<Task>::value_type;

  template <class... X>
  explicit dispatch_awaitable(std::in_place_t, X&&... x) : owner_{static_cast<X&&>(x)...} {}
  // Not movable: once started, the driver refers to the arguments held here. (A host that
  // keeps dispatches in a container keeps them as tasks: as_task().)
  dispatch_awaitable(const dispatch_awaitable&) = delete;
  dispatch_awaitable& operator=(const dispatch_awaitable&) = delete;

  // Ready when no implementation is a coroutine: await_resume then runs the synchronous
  // dispatch and returns its result as a synchronous dispatch does, with nothing kept here.
  MODHOOK_ALWAYS_INLINE bool await_ready() noexcept { return owner_.plain(); }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> continuation) {
    if constexpr (plain_known) {
      if constexpr (Owner::plain()) return continuation; // never called: the dispatch is ready
    }
    assert(!running_ && "modhook: a dispatch is awaited once");
    running_ = owner_.start();
    return std::move(running_).operator co_await().await_suspend(continuation);
  }
  // (Inlined, as a synchronous dispatch is, so that its loop is the caller's.)
  MODHOOK_ALWAYS_INLINE result_type await_resume() {
    if constexpr (plain_known) {
      if constexpr (Owner::plain())
        return owner_.run_plain();
      else
        return running_.result();
    } else {
      if (running_) return running_.result();
      return owner_.run_plain();
    }
  }

  /// The dispatch as a task, which holds it in its frame: for a host that keeps dispatches in
  /// flight, or drives one itself (handle().resume(), then result()).
  Task as_task() && { return awaiting(std::move(owner_)); }
  operator Task() && { return awaiting(std::move(owner_)); }

private:
  MODHOOK_COROUTINE_BEGIN
  static Task awaiting(Owner owner) { co_return co_await dispatch_awaitable(std::in_place, std::move(owner)); }
  MODHOOK_COROUTINE_END

  Owner owner_;
  Task running_;
};

} // namespace detail
MODHOOK_END_NAMESPACE

#endif
