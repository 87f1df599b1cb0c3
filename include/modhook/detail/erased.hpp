// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_DETAIL_ERASED_HPP
#define MODHOOK_DETAIL_ERASED_HPP

#include <modhook/detail/async_step.hpp>
#include <modhook/detail/config.hpp>

#include <cstring>
#include <new>
#include <type_traits>
#include <utility>

MODHOOK_BEGIN_NAMESPACE
namespace detail {

template <auto Member, class T>
struct bound_member; // bind.hpp

template <class T>
inline constexpr bool is_bound_member = false;
template <auto Member, class T>
inline constexpr bool is_bound_member<bound_member<Member, T>> = true;

// Whether a function pointer is null. Under g++'s -fsanitize, comparing the address of an
// inline function or a template specialization with null cannot be folded in a constant
// expression, which would make such constexpr modules ill-formed; there, an address that
// cannot be folded is an address, so not null.
template <class P>
constexpr bool is_null(P pointer) noexcept {
#if defined(__GNUC__) || defined(__clang__)
  if (std::is_constant_evaluated()) return __builtin_constant_p(pointer == nullptr) && pointer == nullptr;
#endif
  return pointer == nullptr;
}

// Not constexpr, so that a constexpr module (a static registry's) given a callable with state
// (a capture, a std::string member) fails here, where the compiler names this function,
// rather than in the bytes copied or the allocation that would hold the state.
inline void constexpr_module_with_a_stateful_callable() noexcept {}

// How a callable is held: chosen at construction, invisible at the call.
enum class storage_kind { function_pointer, task_function, value_function, bound_member, stateless, in_place, heap };

template <class F, class Sig>
struct storage_for;
template <class F, class R, class... A>
struct storage_for<F, R(A...)> {
  static constexpr bool const_callable = std::is_invocable_v<const F&, A...>;
  // clang-format off
  static constexpr storage_kind value =
      // Exactly R(*)(A...), or one that converts to it (a noexcept function): stored as such.
      std::is_pointer_v<F> && std::is_function_v<std::remove_pointer_t<F>> && std::is_convertible_v<F, R (*)(A...)>
                                          ? storage_kind::function_pointer
      // (A noexcept function converts to these pointer types.)
      : std::is_pointer_v<F> && std::is_convertible_v<F, typename step_functions<R, A...>::task_function>
                                          ? storage_kind::task_function
      : std::is_pointer_v<F> && std::is_convertible_v<F, typename step_functions<R, A...>::value_function>
                                          ? storage_kind::value_function
      : is_bound_member<F>                ? storage_kind::bound_member
      : std::is_empty_v<F> && std::is_default_constructible_v<F> && std::is_trivially_copyable_v<F> && const_callable
                                          ? storage_kind::stateless
      // Not in an asynchronous slot: a coroutine's frame refers to the callable it was called
      // on, which must outlive it, and in place it is a copy made for the call.
      : std::is_trivially_copyable_v<F> && sizeof(F) <= sizeof(void*) && alignof(F) <= alignof(void*) && const_callable
        && !is_async_step<R>              ? storage_kind::in_place
                                          : storage_kind::heap;
  // clang-format on
};

// A type-erased callable of signature R(A...): one invoker pointer plus one context word,
// so a call is `invoke(context, args...)`, the same as a hand-written {fn, ctx} pair.
// Small trivially copyable callables live in the context word itself; larger ones, and
// those with mutable state, are moved to the heap when the slot is constructed (during
// registration, never during a dispatch).
// Every erased<Sig> derives from this, so that one erased callable handed to another is
// recognized (an empty one stays empty) instead of being wrapped as an opaque callable.
struct erased_base {};

template <class Sig>
class erased;

// The context word of a delegate: an object, a function pointer, or the bytes of a small
// callable.
template <class R, class... A>
union delegate_context {
  void* object = nullptr;
  R (*function)(A...);
  typename step_functions<R, A...>::task_function task_function;   // in an asynchronous slot
  typename step_functions<R, A...>::value_function value_function; // in an asynchronous slot
  alignas(void*) unsigned char bytes[sizeof(void*)];
};

// What a dispatch loop holds per implementation: exactly a hand-written {fn, ctx} pair (in an
// asynchronous slot, with a second invoker: see below).
template <class Sig>
struct delegate;
template <class R, class... A>
struct delegate<R(A...)> {
  using context = delegate_context<R, A...>;
  using invoker = R (*)(context, A...);

  invoker invoke = nullptr;
  context data{};
};
// In an asynchronous slot, one of two: `invoke` calls a plain callable exactly as a
// synchronous slot's delegate does, returning the value; `start` calls a coroutine, returning
// its task to be awaited.
// (A plain callable's by-value parameters are passed by value, as a synchronous slot passes
// them, in registers; a coroutine's are references to the copies the driver keeps: see
// stored_parameter.)
template <class Task, class V, class... A>
struct delegate<async_step<Task, V>(A...)> {
  using context = delegate_context<async_step<Task, V>, A...>;
  using invoker = V (*)(context, declared_parameter<A>...);
  using task_invoker = Task (*)(context, A...);

  invoker invoke = nullptr;
  task_invoker start = nullptr;
  context data{};
};

// What the invoker of a synchronous slot R(A...) returns (R), and of an asynchronous one
// async_step<Task, V>(A...): V for a plain callable, Task for a coroutine.
template <class R>
struct invoked_by {
  using value = R;
  using task = void;
  struct no_task_invoker {};
  template <class>
  using task_invoker = no_task_invoker;
};
template <class Task, class V>
struct invoked_by<async_step<Task, V>> {
  using value = V;
  using task = Task;
  template <class Delegate>
  using task_invoker = typename Delegate::task_invoker;
};

template <class R, class... A>
class erased<R(A...)> : public erased_base {
  using value_result = typename invoked_by<R>::value;
  using task_result = typename invoked_by<R>::task;
  static constexpr bool is_async = is_async_step<R>;

public:
  using context = typename delegate<R(A...)>::context;
  using invoker = typename delegate<R(A...)>::invoker;
  using task_invoker = typename invoked_by<R>::template task_invoker<delegate<R(A...)>>;

  constexpr erased() noexcept = default;

  // A function of exactly this signature, the common case, without a template: nothing to
  // deduce, check or instantiate per callable, which is most of what registering costs the
  // compiler. Whether the pointer is null is asked later, by operator bool: the null test
  // needs is_constant_evaluated (see is_null), which costs the compiler at every construction.
  constexpr erased(R (*f)(A...)) noexcept
    requires(!is_async)
      : invoke_(&call<R, via_function, A...>), context_{.function = f}, set_(true), maybe_null_(true) {}
  constexpr erased(R (*f)(A...) noexcept) noexcept
    requires(!is_async)
      : erased(static_cast<R (*)(A...)>(f)) {}

  template <class F>
  constexpr explicit erased(std::in_place_t, F&& f) {
    using D = std::decay_t<F>;
    constexpr storage_kind kind = storage_for<D, R(A...)>::value;
    if constexpr (std::is_base_of_v<erased_base, D>) {
      if (!static_cast<bool>(f)) return; // an empty slot given as a callable is empty
    }
    if constexpr (std::is_base_of_v<erased, D>) {
      erased same(static_cast<F&&>(f)); // same signature: take its target, do not wrap it
      swap(same);
    } else if constexpr (kind == storage_kind::function_pointer) {
      if (detail::is_null(f)) return;
      context_.function = f;
      install<via_function>();
    } else if constexpr (kind == storage_kind::task_function) {
      if (detail::is_null(f)) return;
      context_.task_function = f;
      install<via_task_function>();
    } else if constexpr (kind == storage_kind::value_function) {
      if (detail::is_null(f)) return;
      context_.value_function = f;
      install<via_value_function>();
    } else if constexpr (kind == storage_kind::bound_member) {
      context_.object = const_cast<void*>(static_cast<const void*>(f.object));
      install<via_bound<D>>();
    } else if constexpr (kind == storage_kind::stateless) {
      install<via_stateless<D>>();
    } else if constexpr (kind == storage_kind::in_place) {
      if constexpr (std::is_pointer_v<D>) {
        if (detail::is_null(f)) return;
      }
      if (std::is_constant_evaluated()) constexpr_module_with_a_stateful_callable();
      const D copy(static_cast<F&&>(f));
      std::memcpy(context_.bytes, static_cast<const void*>(&copy), sizeof(D));
      install<via_in_place<D>>();
    } else {
      if constexpr (std::is_pointer_v<D>) { // a function of another declaration, in an asynchronous slot
        if (detail::is_null(f)) return;
      }
      if (std::is_constant_evaluated()) constexpr_module_with_a_stateful_callable();
      context_.object = new D(static_cast<F&&>(f));
      manager_ = &manager_for<D>;
      install<via_heap<D>>();
    }
  }

  constexpr erased(const erased& other)
      : invoke_(other.invoke_), start_(other.start_), context_(other.context_), manager_(other.manager_),
        set_(other.set_), maybe_null_(other.maybe_null_), coroutine_(other.coroutine_) {
    if (manager_ != nullptr) context_.object = manager_->clone(other.context_.object);
  }
  constexpr erased(erased&& other) noexcept
      : invoke_(std::exchange(other.invoke_, nullptr)), start_(std::exchange(other.start_, task_invoker{})),
        context_(other.context_), manager_(std::exchange(other.manager_, nullptr)),
        set_(std::exchange(other.set_, false)), maybe_null_(std::exchange(other.maybe_null_, false)),
        coroutine_(std::exchange(other.coroutine_, false)) {}
  constexpr erased& operator=(erased other) noexcept {
    swap(other);
    return *this;
  }
  constexpr ~erased() {
    if (manager_ != nullptr) manager_->destroy(context_.object);
  }

  constexpr void swap(erased& other) noexcept {
    std::swap(invoke_, other.invoke_);
    std::swap(start_, other.start_);
    std::swap(context_, other.context_);
    std::swap(manager_, other.manager_);
    std::swap(set_, other.set_);
    std::swap(maybe_null_, other.maybe_null_);
    std::swap(coroutine_, other.coroutine_);
  }

  /// True when a callable is set.
  // A flag rather than `invoke_ != nullptr`: GCC will not fold a function's address compared
  // with null in a constant expression under -fsanitize, and constexpr modules need this.
  constexpr explicit operator bool() const noexcept {
    return set_ && !(maybe_null_ && detail::is_null(context_.function));
  }

  /// Calls the callable; precondition: one is set.
  R operator()(A... args) const
    requires(!is_async)
  {
    return invoke_(context_, static_cast<A&&>(args)...);
  }

  /// In an asynchronous slot: whether the callable is a coroutine (it returns the task type),
  /// not a plain callable, which a dispatch calls as a synchronous one.
  constexpr bool is_coroutine() const noexcept { return coroutine_; }

  /// The {invoker, context} pair, valid while this object lives.
  /// (Empty when no callable is set, a null function pointer included.)
  constexpr delegate<R(A...)> target() const noexcept {
    if (!*this) return {};
    if constexpr (is_async)
      return {invoke_, start_, context_};
    else
      return {invoke_, context_};
  }

private:
  struct manager {
    void (*destroy)(void*) noexcept;
    void* (*clone)(const void*);
  };
  template <class D>
  static constexpr manager manager_for{
      [](void* p) noexcept { delete static_cast<D*>(p); },
      [](const void* p) -> void* { return new D(*static_cast<const D*>(p)); },
  };

  // How each kind of callable is called from the context word, returning what it returns.
  struct via_function {
    MODHOOK_ALWAYS_INLINE static decltype(auto) call(context c, A&&... args) {
      return c.function(static_cast<A&&>(args)...);
    }
  };
  struct via_task_function {
    MODHOOK_ALWAYS_INLINE static decltype(auto) call(context c, A&&... args) {
      return c.task_function(static_cast<A&&>(args)...);
    }
  };
  struct via_value_function {
    MODHOOK_ALWAYS_INLINE static decltype(auto) call(context c, A&&... args) {
      return c.value_function(static_cast<A&&>(args)...);
    }
  };
  template <class D>
  struct via_bound {
    MODHOOK_ALWAYS_INLINE static decltype(auto) call(context c, A&&... args) {
      return D::invoke(c.object, static_cast<A&&>(args)...);
    }
  };
  template <class D>
  struct via_stateless {
    MODHOOK_ALWAYS_INLINE static decltype(auto) call(context, A&&... args) { return D{}(static_cast<A&&>(args)...); }
  };
  template <class D>
  struct via_in_place {
    MODHOOK_ALWAYS_INLINE static decltype(auto) call(context c, A&&... args) {
      alignas(D) unsigned char buffer[sizeof(D)];
      std::memcpy(buffer, c.bytes, sizeof(D));
      const D& f = *std::launder(reinterpret_cast<const D*>(buffer));
      return f(static_cast<A&&>(args)...);
    }
  };
  template <class D>
  struct via_heap {
    MODHOOK_ALWAYS_INLINE static decltype(auto) call(context c, A&&... args) {
      return (*static_cast<D*>(c.object))(static_cast<A&&>(args)...);
    }
  };

  // Sets the invoker for a callable called `Via`: in an asynchronous slot, `start_` for one
  // that returns the slot's task type (a coroutine), `invoke_` for any other.
  template <class Via>
  constexpr void install() noexcept {
    if constexpr (is_async &&
                  std::is_same_v<
                      std::remove_cvref_t<decltype(Via::call(std::declval<context>(), std::declval<A>()...))>,
                      task_result>) {
      start_ = &call<task_result, Via, A...>;
      coroutine_ = true;
    } else
      invoke_ = &call<value_result, Via, declared_parameter<A>...>;
    set_ = true;
  }

  // Invokers: the only code a dispatch runs per implementation. Forced inline so that a
  // static registry, which calls them through constant pointers, never keeps one as an
  // extra call when the compiler's inlining budget for a long dispatch runs out. A void
  // result ignores what the callable returns, as a call in a void function would.
  // `P` are the parameters the invoker declares: A, or for a plain callable in an
  // asynchronous slot, the callback's own (see delegate).
  template <class Result, class Via, class... P>
  MODHOOK_ALWAYS_INLINE static Result call(context c, P... args) {
    if constexpr (std::is_void_v<Result>)
      (void)Via::call(c, static_cast<A&&>(args)...);
    else
      return static_cast<Result>(Via::call(c, static_cast<A&&>(args)...));
  }

  invoker invoke_ = nullptr;
  [[no_unique_address]] task_invoker start_{};
  context context_{};
  const manager* manager_ = nullptr;
  bool set_ = false;
  bool maybe_null_ = false; // a function pointer not yet tested for null: operator bool tests it
  bool coroutine_ = false;  // a flag, as set_ is: an invoker's address is not compared in constexpr
};

} // namespace detail
MODHOOK_END_NAMESPACE

#endif
