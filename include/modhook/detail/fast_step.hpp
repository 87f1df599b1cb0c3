// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_DETAIL_FAST_STEP_HPP
#define MODHOOK_DETAIL_FAST_STEP_HPP

// The fast path's step: one call, and whether the policy ignores its outcome; anything
// else stops the fast path, and resume() feeds it, cold, to a fresh combiner.

#include <modhook/module_source.hpp>
#include <modhook/detail/cold_argument.hpp>
#include <modhook/detail/config.hpp>
#include <modhook/detail/decision.hpp>
#include <modhook/detail/dispatch_result.hpp>
#include <modhook/detail/failure_sink.hpp>
#include <modhook/detail/kept_exception.hpp>
#include <modhook/detail/outcome.hpp>
#include <modhook/detail/raw_storage.hpp>
#include <modhook/detail/signature.hpp>

#include <exception>
#include <new>
#include <tuple>
#include <type_traits>
#include <utility>

MODHOOK_BEGIN_NAMESPACE
namespace detail {

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
