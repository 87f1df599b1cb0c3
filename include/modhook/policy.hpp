// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_POLICY_HPP
#define MODHOOK_POLICY_HPP

// Policies say how the results of several modules' implementations of one callback are
// combined. A policy never calls anything: it is fed one outcome at a time and says whether
// to go on. Each driver (synchronous, asynchronous) is a loop that calls the next
// implementation and feeds the policy's combiner; the combining rule is written once, here.

#include <modhook/failure.hpp>
#include <modhook/module_source.hpp>
#include <modhook/results.hpp>
#include <modhook/detail/config.hpp>

#include <concepts>
#include <cstddef>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

MODHOOK_BEGIN_NAMESPACE
namespace detail {
template <class T>
inline constexpr bool is_optional = false;
template <class T>
inline constexpr bool is_optional<std::optional<T>> = true;
} // namespace detail

/// The policy concept. For a callback whose implementations return T (void is seen as
/// std::monostate; expected<T, E> is split into T and failures carrying E), a policy P has
/// a default-constructible P::combiner<T, E> with
///   bool on_result(T&& value, const module_source& who)  -> false stops the dispatch
///   bool on_failure(failure<E>&& f)                      -> false stops the dispatch
///   result finish() &&                                   -> what dispatch returns
/// and may declare `template <class T> static constexpr bool combines` to refuse result
/// types it cannot combine (checked where the category is declared).
///
/// A policy may also declare `static constexpr bool ignores(const T& value) noexcept` on its
/// combiner: true when on_result(value) would return true and record nothing. Dispatch then
/// runs a fast path that only calls and tests, as hand-written code would, and builds the
/// combiner only from the first outcome the policy does not ignore. Such a combiner may also
/// declare `static result nothing_seen()`, the result when every outcome was ignored (by
/// default, finish() of a fresh combiner), built in place on the fast path; and
/// `template <class Who> static result decide(T&& value, const Who& who)` (who() names the
/// module, as a module_source does; nothing else of it is promised), the result when `value` is
/// the only outcome (what finish() gives after on_result(value, who) on a fresh combiner),
/// when the first value it does not ignore always stops the dispatch and is the answer. That
/// result is then built inline, where the compiler can see through it, instead of on the
/// cold path; and the static registry sends the last module's value (when small) straight
/// to it, as hand-written code would return the last call's result.
template <class P, class T>
concept declares_combines = requires {
  { P::template combines<T> } -> std::convertible_to<bool>;
};

// clang-format off
template <class P, class T, class E>
concept policy_for = (!declares_combines<P, T> || P::template combines<T>) &&
                     requires(typename P::template combiner<T, E> c, T&& value, failure<E>&& f,
                              const module_source& who) {
                       requires std::default_initializable<typename P::template combiner<T, E>>;
                       { c.on_result(static_cast<T&&>(value), who) } -> std::same_as<bool>;
                       { c.on_failure(static_cast<failure<E>&&>(f)) } -> std::same_as<bool>;
                       static_cast<typename P::template combiner<T, E>&&>(c).finish();
                     };
// clang-format on

/// What "passes" for all_must_pass: specialize for your verdict type with
/// `static constexpr bool passes(const T&) noexcept`.
template <class T>
struct pass_traits;

template <>
struct pass_traits<bool> {
  static constexpr bool passes(bool value) noexcept { return value; }
};

template <class T>
concept passable = requires(const T& value) {
  { pass_traits<T>::passes(value) } -> std::convertible_to<bool>;
};

/// How all_must_pass treats a module that fails (throws or returns an error value).
enum class on_module_failure {
  deny, ///< fail closed: the dispatch stops and the verdict is `failed` (not "rejected")
  skip, ///< fail open: the failure is reported and the next module is asked
};

/// Call in order; the first result that does not pass is the answer and later modules are
/// not called. Passes when every module passes or none is registered.
template <on_module_failure OnFailure>
struct all_must_pass_policy {
  template <class T>
  static constexpr bool combines = passable<T>;

  template <class T, class E>
  class combiner {
  public:
    static constexpr bool ignores(const T& value) { return pass_traits<T>::passes(value); }
    static verdict<T, E> nothing_seen() noexcept { return {}; }
    template <class Who>
    MODHOOK_ALWAYS_INLINE static verdict<T, E> decide(T&& value, const Who& who) {
      verdict<T, E> result;
      const bool passes = pass_traits<T>::passes(std::as_const(value));
      detail::result_access::settle(result, std::move(value), passes, who);
      return result;
    }
    constexpr bool on_result(T&& value, const module_source& who) {
      if (pass_traits<T>::passes(std::as_const(value))) [[likely]]
        return true;
      detail::result_access::reject(result_, std::move(value), who());
      return false;
    }
    constexpr bool on_failure(failure<E>&& f) {
      if constexpr (OnFailure == on_module_failure::deny) {
        detail::result_access::fail(result_, std::move(f));
        return false;
      } else {
        detail::result_access::record_failure(result_, std::move(f));
        return true;
      }
    }
    constexpr verdict<T, E> finish() && { return std::move(result_); }

  private:
    verdict<T, E> result_;
  };
};

/// all_must_pass, failing closed (Synapse's check_event_allowed).
using all_must_pass = all_must_pass_policy<on_module_failure::deny>;
/// all_must_pass, failing open (Synapse's check_threepid_can_be_invited).
using all_must_pass_fail_open = all_must_pass_policy<on_module_failure::skip>;

/// Call in order; the first engaged optional is the answer and later modules are not
/// called. A failure stops the dispatch: no module's answer can be trusted past it.
struct first_result {
  template <class T>
  static constexpr bool combines = detail::is_optional<T>;

  template <class T, class E>
  class combiner {
  public:
    static constexpr bool ignores(const T& value) noexcept { return !value.has_value(); }
    static answer<typename T::value_type, E> nothing_seen() noexcept { return {}; }
    template <class Who>
    MODHOOK_ALWAYS_INLINE static answer<typename T::value_type, E> decide(T&& value, const Who& who) {
      answer<typename T::value_type, E> result;
      if (value.has_value()) detail::result_access::found(result, std::move(*value), who());
      return result;
    }
    constexpr bool on_result(T&& value, const module_source& who) {
      if (!value.has_value()) return true;
      detail::result_access::found(result_, std::move(*value), who());
      return false;
    }
    constexpr bool on_failure(failure<E>&& f) {
      detail::result_access::fail(result_, std::move(f));
      return false;
    }
    constexpr answer<typename T::value_type, E> finish() && { return std::move(result_); }

  private:
    answer<typename T::value_type, E> result_;
  };
};

/// Call in order; the first failure stops the dispatch and is returned, its exception kept.
/// For callbacks returning void or expected<void, E>.
struct first_exception {
  template <class T>
  static constexpr bool combines = std::is_same_v<T, std::monostate>;

  template <class T, class E>
  class combiner {
  public:
    static constexpr bool ignores(const T&) noexcept { return true; }
    static completion<E> nothing_seen() noexcept { return {}; }
    constexpr bool on_result(T&&, const module_source&) noexcept { return true; }
    constexpr bool on_failure(failure<E>&& f) {
      detail::result_access::record_failure(result_, std::move(f));
      return false;
    }
    constexpr completion<E> finish() && { return std::move(result_); }

  private:
    completion<E> result_;
  };
};

/// Call every implementation in order; a failure never stops the others. For callbacks
/// returning void or expected<void, E>.
struct run_all {
  template <class T>
  static constexpr bool combines = std::is_same_v<T, std::monostate>;

  template <class T, class E>
  class combiner {
  public:
    static constexpr bool ignores(const T&) noexcept { return true; }
    static completion<E> nothing_seen() noexcept { return {}; }
    constexpr bool on_result(T&&, const module_source&) noexcept { return true; }
    constexpr bool on_failure(failure<E>&& f) {
      detail::result_access::record_failure(result_, std::move(f));
      return true;
    }
    constexpr completion<E> finish() && { return std::move(result_); }

  private:
    completion<E> result_;
  };
};

/// A callback at most one module may implement (Synapse's password providers, one per login
/// type): `Policy` combines its result, and a second implementation is refused, naming both
/// modules: by the run-time registries when it registers (the module's load fails), by the
/// static registry at compile time. Declared in the category, as the policy:
///
///   (check_password, modhook::exclusive<modhook::first_result>, std::optional<bool>(const login&))
template <class Policy>
struct exclusive : Policy {
  using shared_policy = Policy; ///< the same rule, without the limit
};

namespace detail {
template <class Policy>
inline constexpr bool is_exclusive = false;
template <class Policy>
inline constexpr bool is_exclusive<exclusive<Policy>> = true;
} // namespace detail

MODHOOK_END_NAMESPACE

#endif
