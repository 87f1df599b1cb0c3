// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_DETAIL_OBSERVE_HPP
#define MODHOOK_DETAIL_OBSERVE_HPP

// What a driver tells an observer (modhook::observed_by) of one module call, at the points
// where the call meets the policy (outcome.hpp, async_dispatch.hpp). Unobserved, each point
// is an empty inline function: the driver's code is what it was.

#include <modhook/failure.hpp>
#include <modhook/module_source.hpp>
#include <modhook/observer.hpp>
#include <modhook/detail/config.hpp>

#include <cstddef>
#include <type_traits>
#include <utility>

MODHOOK_BEGIN_NAMESPACE
namespace detail {

// One call, unobserved: nothing is kept, nothing is told.
struct unobserved {
  static constexpr bool observed = false;
  MODHOOK_ALWAYS_INLINE constexpr void started(const module_source&) noexcept {}
  template <class Combiner, class Failure>
  MODHOOK_ALWAYS_INLINE constexpr bool failed(Combiner& combiner, Failure&& f) {
    return combiner.on_failure(static_cast<Failure&&>(f));
  }
  MODHOOK_ALWAYS_INLINE constexpr bool returned(bool go_on) noexcept { return go_on; }
};

// What a dispatch holds to observe its calls: nothing, or the registry's observer.
struct no_watch {
  using call = unobserved;
  static constexpr bool observed = false;
  constexpr call begin() const noexcept { return {}; }
};

struct no_token {};

template <class Observer>
inline constexpr bool observer_has_on_call = requires(Observer& o, const module_call& c) { o.on_call(c); };

template <class Observer>
struct observer_token {
  using type = no_token;
};
template <class Observer>
  requires observer_has_on_call<Observer> &&
           (!std::is_void_v<decltype(std::declval<Observer&>().on_call(std::declval<const module_call&>()))>)
struct observer_token<Observer> {
  using type = decltype(std::declval<Observer&>().on_call(std::declval<const module_call&>()));
};

// One call, observed: the module and callback, and the observer's token for it.
template <class Observer>
class observing {
  using token = typename observer_token<Observer>::type;
  static constexpr bool tokened = !std::is_same_v<token, no_token>;

public:
  static constexpr bool observed = true;
  explicit observing(Observer* observer) noexcept : observer_(observer) {}

  void started(const module_source& who) noexcept {
    call_ = module_call{who(), who.callback()};
    if constexpr (tokened)
      token_ = observer_->on_call(std::as_const(call_));
    else if constexpr (observer_has_on_call<Observer>)
      observer_->on_call(std::as_const(call_));
  }
  template <class Combiner, class Failure>
  bool failed(Combiner& combiner, Failure&& f) {
    const failure<>& seen = f;
    ended(call_outcome::failed, &seen);
    return combiner.on_failure(static_cast<Failure&&>(f));
  }
  bool returned(bool go_on) noexcept {
    ended(go_on ? call_outcome::passed : call_outcome::decided, nullptr);
    return go_on;
  }

private:
  void ended(call_outcome outcome, const failure<>* f) noexcept {
    if constexpr (tokened) {
      if constexpr (requires { observer_->on_return(std::as_const(call_), token_, outcome, f); })
        observer_->on_return(std::as_const(call_), token_, outcome, f);
    } else if constexpr (requires { observer_->on_return(std::as_const(call_), outcome, f); }) {
      observer_->on_return(std::as_const(call_), outcome, f);
    }
  }

  Observer* observer_;
  module_call call_{};
  [[no_unique_address]] token token_{};
};

template <class Observer>
struct watching {
  using call = observing<Observer>;
  static constexpr bool observed = true;
  Observer* observer;
  call begin() const noexcept { return call(observer); }
};

// The observer a registry's option list names (modhook::observed_by<O>), if any.
template <class... Options>
struct observer_option {
  using type = void;
};
template <class First, class... Rest>
struct observer_option<First, Rest...> : observer_option<Rest...> {};
template <class Observer, class... Rest>
struct observer_option<observed_by<Observer>, Rest...> {
  using type = Observer;
};

template <class T>
inline constexpr bool is_registry_option = false;
template <class Observer>
inline constexpr bool is_registry_option<observed_by<Observer>> = true;

template <class... Options>
inline constexpr std::size_t observer_count = (std::size_t{is_registry_option<Options>} + ... + 0);

// Whether an observer's events have the documented shapes: an on_call or on_return it
// declares (as one non-template member) must be callable as documented, and it must declare
// one of them. A misspelled parameter list would otherwise never be called.
template <class Observer>
constexpr bool valid_observer() {
  if constexpr (std::is_void_v<Observer>) {
    return true;
  } else {
    using token = typename observer_token<Observer>::type;
    constexpr bool calls = observer_has_on_call<Observer>;
    constexpr bool returns = [] {
      if constexpr (std::is_same_v<token, no_token>)
        return requires(Observer& o, const module_call& c, call_outcome r, const failure<>* f) {
          o.on_return(c, r, f);
        };
      else
        return requires(Observer& o, const module_call& c, token& t, call_outcome r, const failure<>* f) {
          o.on_return(c, t, r, f);
        };
    }();
    constexpr bool declares_on_call = requires { &Observer::on_call; };
    constexpr bool declares_on_return = requires { &Observer::on_return; };
    return (calls || returns) && (!declares_on_call || calls) && (!declares_on_return || returns) &&
           (std::is_same_v<token, no_token> ||
            (std::is_object_v<token> && std::is_default_constructible_v<token> && std::is_move_assignable_v<token>));
  }
}

// What a registry keeps of its options: the observer a modhook::observed_by names (public:
// observer()), and what its dispatches carry to tell it (watch()). Without one, nothing.
template <class Observer>
class observer_holder {
  static_assert(valid_observer<Observer>(),
                "modhook: observed_by<O>: O must declare on_call(const modhook::module_call&) and/or "
                "on_return(const modhook::module_call&, Token&, modhook::call_outcome, const modhook::failure<>*), "
                "Token being what on_call returns (without it when on_call returns nothing, or is not declared); "
                "a token must be a default-constructible, move-assignable object");

public:
  /// The observer named by the registry's modhook::observed_by option.
  using observer_type = Observer;
  /// The observer every module call is told to.
  Observer& observer() noexcept { return observer_; }
  const Observer& observer() const noexcept { return observer_; }

protected:
  using watch_type = watching<Observer>;
  watch_type watch() const noexcept { return {&observer_}; }

private:
  mutable Observer observer_{}; // (a dispatch is const, and tells the observer)
};
template <>
class observer_holder<void> {
public:
  using observer_type = void;

protected:
  using watch_type = no_watch;
  static constexpr watch_type watch() noexcept { return {}; }
};
template <class... Options>
using observer_holder_of = observer_holder<typename observer_option<Options...>::type>;

} // namespace detail
MODHOOK_END_NAMESPACE

#endif
