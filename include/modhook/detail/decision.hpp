// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_DETAIL_DECISION_HPP
#define MODHOOK_DETAIL_DECISION_HPP

// What a policy with a fast path (its combiner says which outcomes it ignores) offers the
// drivers: the value that decides a dispatch, kept inline, and the result when nothing did.

#include <modhook/module_source.hpp>
#include <modhook/detail/config.hpp>
#include <modhook/detail/dispatch_result.hpp>
#include <modhook/detail/raw_storage.hpp>

#include <concepts>
#include <new>
#include <type_traits>
#include <utility>

MODHOOK_BEGIN_NAMESPACE
namespace detail {

// A policy whose combiner says which outcomes it ignores gets a fast path.
template <class Slot>
concept has_fast_path = requires(const typename Slot::value_type& value) {
  { combiner_t<Slot>::ignores(value) } -> std::convertible_to<bool>;
};

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

} // namespace detail
MODHOOK_END_NAMESPACE

#endif
