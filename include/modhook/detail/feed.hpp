// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_DETAIL_FEED_HPP
#define MODHOOK_DETAIL_FEED_HPP

#include <modhook/failure.hpp>
#include <modhook/policy.hpp>
#include <modhook/detail/config.hpp>
#include <modhook/detail/signature.hpp>

#include <concepts>
#include <exception>
#include <new>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>

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

// Where failures go besides the combiner: the registry's failure handler.
struct failure_sink {
  void (*report)(const void* context, const failure<>& f) noexcept;
  const void* context;
};
// A sink as a driver takes one: an object whose get() gives it (see static_registry.hpp).
struct given_sink {
  failure_sink sink;
  constexpr failure_sink get() const noexcept { return sink; }
};

template <class Sig>
struct delegate;
// The asynchronous driver, for both registries (detail/async_dispatch.hpp, which the task
// types' headers include).
template <class Slot, class Sink, class Prepared, std::size_t... I>
async_dispatch_result_t<Slot>
async_dispatch(const module_table& modules, const delegate<typename Slot::signature>* first,
               const delegate<typename Slot::signature>* last, Sink sink, Prepared prepared, std::index_sequence<I...>);
// A modhook::task callback's dispatch (detail/dispatch_awaitable.hpp, which task.hpp includes).
template <class Result, class Owner>
class dispatch_awaitable;

// Cold: a module failed. Names it and reports it; the caller hands it to the policy. The
// combiner is never passed out of line, so on the happy path it can live in registers.
template <class Slot>
MODHOOK_COLD failure<typename Slot::error_type> module_failed(failure<typename Slot::error_type>&& f, module_source who,
                                                              failure_sink sink) {
  f.module = who();
  f.callback = who.callback();
  sink.report(sink.context, f);
  return std::move(f);
}

template <class Slot>
MODHOOK_COLD failure<typename Slot::error_type> module_threw(std::exception_ptr exception, module_source who,
                                                             failure_sink sink) {
  failure<typename Slot::error_type> f;
  f.exception = std::move(exception);
  return detail::module_failed<Slot>(std::move(f), who, sink);
}

template <class Slot, class Error>
MODHOOK_COLD failure<typename Slot::error_type> module_returned_error(Error&& error, module_source who,
                                                                      failure_sink sink) {
  failure<typename Slot::error_type> f;
  f.error.emplace(static_cast<Error&&>(error));
  return detail::module_failed<Slot>(std::move(f), who, sink);
}

// Room for a value constructed later (or never) and destroyed by hand: a callback's result,
// constructed straight from the call so only the call sits inside the try block (a policy's
// own exception is never mistaken for a module's failure); or a dispatch result filled in by
// the cold path while the hot path leaves it alone.
template <class T>
struct destroy_on_exit {
  T& value;
  ~destroy_on_exit() { value.~T(); }
};

template <class T>
union returned {
  T value;
  returned() noexcept {}
  ~returned() {}

  // Destroys the value even when moving it out throws.
  T take() {
    destroy_on_exit<T> guard{value};
    return T(std::move(value));
  }
};

// Calls one implementation and feeds its outcome to the combiner; returns whether the
// dispatch goes on. A throw, or an unexpected value from an expected-returning callback,
// becomes a failure naming the module and the callback. With fast_step below, this is one
// of the two places where a call meets a policy: fast_step while the policy ignores every
// outcome, feed for the modules after the first it does not (and for policies without a
// fast path). A driver (run-time, static, later asynchronous) loops over these two.
template <class Slot, class Combiner>
MODHOOK_ALWAYS_INLINE bool feed_returned(Combiner& combiner, typename Slot::result_type& r, module_source who,
                                         failure_sink sink);

template <class Slot, class Combiner, class Call>
MODHOOK_ALWAYS_INLINE bool feed(Combiner& combiner, Call&& call, module_source who, failure_sink sink) {
  using result = typename Slot::result_type;
  if constexpr (std::is_void_v<result>) {
    MODHOOK_TRY { call(); }
    MODHOOK_CATCH_ALL { return combiner.on_failure(detail::module_threw<Slot>(std::current_exception(), who, sink)); }
    return combiner.on_result(std::monostate{}, who);
  } else {
    returned<result> r;
    MODHOOK_TRY { ::new (static_cast<void*>(&r.value)) result(call()); }
    MODHOOK_CATCH_ALL { return combiner.on_failure(detail::module_threw<Slot>(std::current_exception(), who, sink)); }
    destroy_on_exit<result> guard{r.value};
    return detail::feed_returned<Slot>(combiner, r.value, who, sink);
  }
}

// What a module returned (not void), fed to the combiner: an unexpected value is a failure.
// The asynchronous driver feeds what it awaited here too.
template <class Slot, class Combiner>
MODHOOK_ALWAYS_INLINE bool feed_returned(Combiner& combiner, typename Slot::result_type& r, module_source who,
                                         failure_sink sink) {
  using result = typename Slot::result_type;
  if constexpr (split_result<result>::is_expected) {
    if (!r.has_value()) [[unlikely]]
      return combiner.on_failure(detail::module_returned_error<Slot>(std::move(r).error(), who, sink));
    if constexpr (std::is_void_v<typename result::value_type>)
      return combiner.on_result(std::monostate{}, who);
    else
      return combiner.on_result(std::move(*r), who);
  } else {
    return combiner.on_result(std::move(r), who);
  }
}

// A policy whose combiner says which outcomes it ignores gets a fast path.
template <class Slot>
concept has_fast_path = requires(const typename Slot::value_type& value) {
  { combiner_t<Slot>::ignores(value) } -> std::convertible_to<bool>;
};

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

// A fast-path policy whose combiner decides on the first value it does not ignore: that value
// is the answer and the dispatch stops there, so the result is built inline, where the
// compiler can see through it (a caller that only asks passed() pays for nothing more).
// `Who` is what the driver names modules with: a module_source, or a constant.
// clang-format off
template <class Slot, class Who = module_source>
concept decides_on_value =
    has_fast_path<Slot> && requires(typename Slot::value_type&& value, const Who& who) {
      { combiner_t<Slot>::decide(static_cast<typename Slot::value_type&&>(value), who) }
          -> std::same_as<dispatch_result_t<Slot>>;
    };
// clang-format on

// The value a fast path stopped at (or, in the static registry, the last implementation's
// value, whatever it is), kept until the result is built inline; apart from the cold path's
// result, whose address escapes, so that this can stay in registers. `Who` names the module:
// a module_source, or a constant one.
template <class Slot, class Who = module_source>
class decision {
public:
  using value = typename Slot::value_type;

  decision() noexcept {
    // A trivial value starts initialized, only to quiet -Wmaybe-uninitialized where g++
    // loses track of made_; the store is dead on every path, and the compiler drops it.
    if constexpr (std::is_trivially_copyable_v<value> && std::is_trivially_default_constructible_v<value>)
      ::new (static_cast<void*>(&value_.value)) value();
  }

  template <class V>
  MODHOOK_ALWAYS_INLINE void set(V&& v, Who who) {
    ::new (static_cast<void*>(&value_.value)) value(static_cast<V&&>(v));
    ::new (static_cast<void*>(&who_.value)) Who(who);
    made_ = true;
  }
  explicit operator bool() const noexcept { return made_; }
  MODHOOK_ALWAYS_INLINE dispatch_result_t<Slot> take() {
    destroy_on_exit<Who> guard{who_.value};
    return combiner_t<Slot>::decide(value_.take(), who_.value);
  }

private:
  returned<value> value_;
  returned<Who> who_;
  bool made_ = false;
};

// The result of a dispatch whose every outcome the policy ignored, built in place.
template <class Slot>
MODHOOK_ALWAYS_INLINE dispatch_result_t<Slot> nothing_seen() {
  if constexpr (requires { combiner_t<Slot>::nothing_seen(); })
    return combiner_t<Slot>::nothing_seen();
  else
    return combiner_t<Slot>{}.finish();
}

// The exception a fast path caught, kept from its handler until the cold path takes it.
// Kept per thread rather than in the hot function's frame: the landing pad then holds no
// address across the calls that end the handler, which would cost the hot path a
// callee-saved register. Nothing runs between keeping and taking (ending the handler only
// drops the reference current_exception() did not take), so nested dispatches never meet.
// `Where` is the driver's: the static registry keeps the module's position there. A function
// per position rather than an argument: landing pads that differ only in a constant are
// merged by clang, which then holds the constant across the calls that begin the handler.
// The slot is raw storage, so that it is trivial: no thread-exit destructor is registered
// (which would pin a dlopen'ed module that uses modhook until the thread ends).
struct kept_exception {
  struct state {
    alignas(std::exception_ptr) unsigned char exception[sizeof(std::exception_ptr)];
    std::size_t where;
  };
  static state& slot() noexcept {
    thread_local state kept;
    return kept;
  }
  template <std::size_t Where>
  MODHOOK_NOINLINE MODHOOK_COLD static void keep() noexcept {
    state& kept = slot();
    ::new (static_cast<void*>(kept.exception)) std::exception_ptr(std::current_exception());
    kept.where = Where;
  }
  static std::size_t where() noexcept { return slot().where; }
  static std::exception_ptr take() noexcept {
    auto* kept = std::launder(reinterpret_cast<std::exception_ptr*>(slot().exception));
    std::exception_ptr exception = std::move(*kept);
    kept->~exception_ptr();
    return exception;
  }
};

// What stopped the fast path: the first outcome the policy does not ignore.
struct stopped_by_exception {}; // the outcome is a kept_exception
struct stopped_by_error {};     // an unexpected value
struct stopped_by_value {};     // a value the policy must see

// Cold: feeds the outcome that stopped the fast path to a fresh combiner, as feed() would
// have. Returns whether the dispatch goes on.
template <class Slot, class Tag, class... X>
bool feed_stopped(combiner_t<Slot>& combiner, module_source who, failure_sink sink, Tag, X&&... x) {
  if constexpr (std::is_same_v<Tag, stopped_by_exception>)
    return combiner.on_failure(detail::module_threw<Slot>(static_cast<X&&>(x)..., who, sink));
  else if constexpr (std::is_same_v<Tag, stopped_by_error>)
    return combiner.on_failure(detail::module_returned_error<Slot>(static_cast<X&&>(x)..., who, sink));
  else
    return combiner.on_result(static_cast<X&&>(x)..., who);
}

// Cold: the rest of a dispatch after the fast path stopped. Builds the combiner, feeds it the
// outcome that stopped the fast path (the value, the error, or the kept exception) and, if
// the policy goes on, lets `feed_rest(combiner, arguments)` feed it the modules after;
// `arguments` are the dispatch's, as cold_argument passed them.
template <class Slot, class FeedRest, class Tag, class Outcome, class... Args>
dispatch_result_t<Slot> resume(module_source who, failure_sink sink, FeedRest&& feed_rest, Tag tag, Outcome&& outcome,
                               Args&&... args) {
  if constexpr (std::is_same_v<std::remove_cvref_t<Outcome>, kept_exception>) {
    std::exception_ptr exception = kept_exception::take(); // first, so it is released whatever follows
    return detail::resume<Slot>(who, sink, feed_rest, tag, std::move(exception), static_cast<Args&&>(args)...);
  } else {
    combiner_t<Slot> combiner;
    if (detail::feed_stopped<Slot>(combiner, who, sink, tag, static_cast<Outcome&&>(outcome))) {
      auto arguments = std::forward_as_tuple(args...);
      feed_rest(combiner, arguments);
    }
    return std::move(combiner).finish();
  }
}

// Hot: calls one implementation and answers whether the policy ignores the outcome, so the
// dispatch goes on with nothing recorded. Anything else goes to `stop(tag, outcome)`, and
// false: the driver records a deciding value, notes a throw (the exception is kept, with
// `Where`: see kept_exception) to resume where the dispatch returns, or makes a cold call.
// `stop` should capture scalars by value: its call is inlined here, so what it holds stays
// in registers on the hot path.
// With SkipIgnored false, every value goes to `stop` (a decides_on_value driver's last step).
template <class Slot, bool SkipIgnored, std::size_t Where = 0, class Call, class Stop>
MODHOOK_ALWAYS_INLINE bool fast_step(Call&& call, Stop&& stop) {
  using result = typename Slot::result_type;
  using value = typename Slot::value_type;
  // A throw leaves the handler by goto, the exception kept for the cold path: that then
  // runs the remaining modules outside any catch block, as the general loop does, and the
  // normal path carries no flag to test.
  {
    if constexpr (std::is_void_v<result>) {
      MODHOOK_TRY { call(); }
      MODHOOK_CATCH_ALL {
        kept_exception::keep<Where>();
        goto module_threw;
      }
      if (SkipIgnored && combiner_t<Slot>::ignores(value{})) [[likely]]
        return true;
      stop(stopped_by_value{}, value{});
      return false;
    } else if constexpr (std::is_trivially_copyable_v<result> && std::is_trivially_default_constructible_v<result> &&
                         std::is_trivially_copy_assignable_v<result>) {
      // A plain local: in a long unrolled dispatch the compiler keeps it in a register,
      // where it may give up on the holder below. Initialized only to quiet
      // -Wmaybe-uninitialized; the call overwrites it on the one path that reads it.
      result r{};
      MODHOOK_TRY { r = call(); }
      MODHOOK_CATCH_ALL {
        kept_exception::keep<Where>();
        goto module_threw;
      }
      if (SkipIgnored && combiner_t<Slot>::ignores(std::as_const(r))) [[likely]]
        return true;
      stop(stopped_by_value{}, value(r));
      return false;
    } else {
      returned<result> r;
      MODHOOK_TRY { ::new (static_cast<void*>(&r.value)) result(call()); }
      MODHOOK_CATCH_ALL {
        kept_exception::keep<Where>();
        goto module_threw;
      }
      destroy_on_exit<result> guard{r.value};
      if constexpr (split_result<result>::is_expected) {
        if (!r.value.has_value()) [[unlikely]] {
          stop(stopped_by_error{}, std::move(r.value).error());
          return false;
        }
        if constexpr (std::is_void_v<typename result::value_type>) {
          if (SkipIgnored && combiner_t<Slot>::ignores(value{})) [[likely]]
            return true;
          stop(stopped_by_value{}, value{});
        } else {
          if (SkipIgnored && combiner_t<Slot>::ignores(std::as_const(*r.value))) [[likely]]
            return true;
          if constexpr (pass_by_value<value>)
            stop(stopped_by_value{}, value(*r.value));
          else
            stop(stopped_by_value{}, std::move(*r.value));
        }
        return false;
      } else {
        if (SkipIgnored && combiner_t<Slot>::ignores(std::as_const(r.value))) [[likely]]
          return true;
        if constexpr (pass_by_value<value>)
          stop(stopped_by_value{}, value(r.value));
        else
          stop(stopped_by_value{}, std::move(r.value));
        return false;
      }
    }
  }
module_threw:
  stop(stopped_by_exception{}, kept_exception{});
  return false;
}

template <class Slot, class Call, class Stop>
MODHOOK_ALWAYS_INLINE bool fast_step(Call&& call, Stop&& stop) {
  return detail::fast_step<Slot, true>(static_cast<Call&&>(call), static_cast<Stop&&>(stop));
}

} // namespace detail
MODHOOK_END_NAMESPACE

#endif
