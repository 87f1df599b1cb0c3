// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_TASK_HPP
#define MODHOOK_TASK_HPP

// modhook::task<T>: the coroutine type modhook ships for asynchronous callbacks. Lazy (it
// starts when awaited), with symmetric transfer (a chain of tasks awaiting tasks resumes
// each other without growing the stack), and no executor of its own: it runs on whatever
// thread resumes it. Its frames come from a per-thread pool (detail/frame_pool.hpp).

#include <modhook/task_traits.hpp>
#include <modhook/detail/config.hpp>
#include <modhook/detail/frame_pool.hpp>

#include <cassert>
#include <coroutine>
#include <exception>
#include <new>
#include <type_traits>
#include <utility>

MODHOOK_BEGIN_NAMESPACE

template <class T = void>
class task;

namespace detail {

struct task_promise_base {
  // Who resumes when this task ends: the awaiting coroutine, or nobody.
  std::coroutine_handle<> continuation = std::noop_coroutine();
#if MODHOOK_HAS_EXCEPTIONS
  std::exception_ptr exception;
#endif

  struct final_awaiter {
    bool await_ready() const noexcept { return false; }
    template <class Promise>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<Promise> done) const noexcept {
      return done.promise().continuation; // symmetric transfer: no stack grows
    }
    void await_resume() const noexcept {}
  };

  std::suspend_always initial_suspend() const noexcept { return {}; }
  final_awaiter final_suspend() const noexcept { return {}; }
  void unhandled_exception() noexcept {
#if MODHOOK_HAS_EXCEPTIONS
    exception = std::current_exception();
#endif
  }
  void rethrow_if_failed() {
#if MODHOOK_HAS_EXCEPTIONS
    if (exception) std::rethrow_exception(exception); // kept: a second result() throws again
#endif
  }

  static void* operator new(std::size_t size) { return frame_pool::allocate(size); }
  static void operator delete(void* frame, std::size_t size) noexcept { frame_pool::deallocate(frame, size); }
};

template <class T>
struct task_promise : task_promise_base {
  union {
    T value;
  };
  bool has_value = false;

  task_promise() noexcept {}
  ~task_promise() {
    if (has_value) value.~T();
  }
  task<T> get_return_object() noexcept;
  template <class U = T>
    requires std::is_convertible_v<U&&, T>
  void return_value(U&& v) noexcept(std::is_nothrow_constructible_v<T, U&&>) {
    ::new (static_cast<void*>(std::addressof(value))) T(static_cast<U&&>(v));
    has_value = true;
  }
  T take() {
    rethrow_if_failed();
    return std::move(value);
  }
};

template <>
struct task_promise<void> : task_promise_base {
  task<void> get_return_object() noexcept;
  void return_void() const noexcept {}
  void take() { rethrow_if_failed(); }
};

} // namespace detail

/// A lazy coroutine returning T: `co_await` it from another coroutine to run it; the
/// awaiting coroutine resumes when it ends, with its value or its exception. A task not
/// awaited never runs; destroying one destroys its frame, suspended or not.
template <class T>
class [[nodiscard]] task {
  static_assert(!std::is_reference_v<T>, "modhook::task<T>: T is a value type or void, not a reference");

public:
  using promise_type = detail::task_promise<T>;
  using value_type = T;

  task() noexcept = default;
  task(task&& other) noexcept : coroutine_(std::exchange(other.coroutine_, nullptr)) {}
  task& operator=(task other) noexcept {
    std::swap(coroutine_, other.coroutine_);
    return *this;
  }
  ~task() {
    if (coroutine_) coroutine_.destroy();
  }

  /// Whether this holds a coroutine (a moved-from or default task does not).
  explicit operator bool() const noexcept { return static_cast<bool>(coroutine_); }

  struct awaiter {
    std::coroutine_handle<promise_type> coroutine;
    bool await_ready() const noexcept { return false; }
    std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiting) const noexcept {
      coroutine.promise().continuation = awaiting;
      return coroutine; // start it, by symmetric transfer
    }
    T await_resume() const { return coroutine.promise().take(); }
  };
  /// Runs the task; precondition: it holds a coroutine that has not started.
  awaiter operator co_await() && noexcept { return awaiter{coroutine_}; }

  /// The coroutine, for a driver of one's own (a host's event loop): resume it, and read
  /// the result with `result()` once `done()`.
  std::coroutine_handle<> handle() const noexcept { return coroutine_; }
  bool done() const noexcept { return coroutine_.done(); }
  /// The value (or the exception) of a task that is done (checked by an assertion).
  T result() {
    assert(coroutine_ && coroutine_.done() && "modhook::task::result(): the task is not done");
    return coroutine_.promise().take();
  }

private:
  friend promise_type;
  explicit task(std::coroutine_handle<promise_type> coroutine) noexcept : coroutine_(coroutine) {}
  std::coroutine_handle<promise_type> coroutine_ = nullptr;
};

/// modhook::task is a task type: a callback returning task<T> is asynchronous.
template <class T>
struct task_traits<task<T>> {
  using value_type = T;
  template <class U>
  using rebind = task<U>;
  // A task coroutine awaits any awaitable: a dispatch is an awaitable of its own.
  static constexpr bool awaits_any = true;
};

namespace detail {
template <class T>
task<T> task_promise<T>::get_return_object() noexcept {
  return task<T>(std::coroutine_handle<task_promise>::from_promise(*this));
}
inline task<void> task_promise<void>::get_return_object() noexcept {
  return task<void>(std::coroutine_handle<task_promise>::from_promise(*this));
}
} // namespace detail

MODHOOK_END_NAMESPACE

#endif
