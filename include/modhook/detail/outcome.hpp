// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_DETAIL_OUTCOME_HPP
#define MODHOOK_DETAIL_OUTCOME_HPP

// One implementation's outcome, classified and fed to the policy's combiner: a value, an
// error value (a failure), or a throw (a failure). The one place where a call meets a policy
// outside the fast path (fast_step.hpp), for both drivers.

#include <modhook/failure.hpp>
#include <modhook/module_source.hpp>
#include <modhook/detail/config.hpp>
#include <modhook/detail/failure_sink.hpp>
#include <modhook/detail/observe.hpp>
#include <modhook/detail/raw_storage.hpp>
#include <modhook/detail/signature.hpp>

#include <exception>
#include <new>
#include <type_traits>
#include <utility>
#include <variant>

MODHOOK_BEGIN_NAMESPACE
namespace detail {

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

// What a module returned (not void), fed to the combiner: an unexpected value is a failure.
// The asynchronous driver feeds what it awaited here too. `observe` (detail/observe.hpp) is
// told how the policy classified it.
template <class Slot, class Combiner, class Observe>
MODHOOK_ALWAYS_INLINE bool feed_returned(Combiner& combiner, typename Slot::result_type& r, module_source who,
                                         failure_sink sink, Observe& observe) {
  using result = typename Slot::result_type;
  if constexpr (split_result<result>::is_expected) {
    if (!r.has_value()) [[unlikely]]
      return observe.failed(combiner, detail::module_returned_error<Slot>(std::move(r).error(), who, sink));
    if constexpr (std::is_void_v<typename result::value_type>)
      return observe.returned(combiner.on_result(std::monostate{}, who));
    else
      return observe.returned(combiner.on_result(std::move(*r), who));
  } else {
    return observe.returned(combiner.on_result(std::move(r), who));
  }
}

// Calls one implementation and feeds its outcome to the combiner; returns whether the
// dispatch goes on. A throw, or an unexpected value from an expected-returning callback,
// becomes a failure naming the module and the callback. This is one of the two places where a call meets a policy:
// fast_step (fast_step.hpp) while the policy ignores every outcome, feed for the modules after the first it does not
// (and for policies without a fast path). Each driver loops over these two.
// `observe` is told of the call and its outcome: nothing, unobserved (detail/observe.hpp).
template <class Slot, class Combiner, class Call, class Observe = unobserved>
MODHOOK_ALWAYS_INLINE bool feed(Combiner& combiner, Call&& call, module_source who, failure_sink sink,
                                Observe observe = {}) {
  using result = typename Slot::result_type;
  observe.started(who);
  if constexpr (std::is_void_v<result>) {
    MODHOOK_TRY { call(); }
    MODHOOK_CATCH_ALL {
      return observe.failed(combiner, detail::module_threw<Slot>(std::current_exception(), who, sink));
    }
    return observe.returned(combiner.on_result(std::monostate{}, who));
  } else {
    returned<result> r;
    MODHOOK_TRY { ::new (static_cast<void*>(&r.value)) result(call()); }
    MODHOOK_CATCH_ALL {
      return observe.failed(combiner, detail::module_threw<Slot>(std::current_exception(), who, sink));
    }
    destroy_on_exit<result> guard{r.value};
    return detail::feed_returned<Slot>(combiner, r.value, who, sink, observe);
  }
}

} // namespace detail
MODHOOK_END_NAMESPACE

#endif
