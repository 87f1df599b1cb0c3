// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_DETAIL_SIGNATURE_HPP
#define MODHOOK_DETAIL_SIGNATURE_HPP

#include <modhook/expected.hpp>
#include <modhook/detail/async_step.hpp>

#include <concepts>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>

MODHOOK_BEGIN_NAMESPACE
namespace detail {

// Whether a dispatch argument reaches the modules as it is (it binds to the parameter
// directly), or is first converted to the parameter's type.
template <class Param, class Given>
inline constexpr bool passes_through =
    std::is_reference_v<Param> ? std::is_convertible_v<std::remove_reference_t<Given>*, std::remove_reference_t<Param>*>
                               : std::is_same_v<std::remove_cvref_t<Given>, std::remove_cvref_t<Param>>;

// std::ref(x) and std::cref(x) stand for x itself, as in a plain call: a parameter that x
// binds to directly binds to x, never to a copy made through the wrapper's conversion.
// Recognized by what std::reference_wrapper is (a `type`, get() giving `type&`, and the
// conversion to it), so that modhook needs no <functional>; a host's own reference wrapper,
// or Boost's, stands for its object too.
// (The members are asked first: an incomplete argument type is then not a wrapper, and is not
// asked whether it is trivially copyable, which it cannot answer.)
template <class G>
concept reference_wrapper_like = requires(const G& g) {
  typename G::type;
  { g.get() } -> std::same_as<typename G::type&>;
} && std::is_convertible_v<const G&, typename G::type&> && std::is_trivially_copyable_v<G>;

template <class Param, class Given>
inline constexpr bool unwraps = false;
template <class Param, reference_wrapper_like G>
inline constexpr bool unwraps<Param, G> = passes_through<Param, typename G::type&>;

template <class Param, class Given>
constexpr decltype(auto) prepare_argument(Given&& given) {
  if constexpr (unwraps<Param, std::remove_cvref_t<Given>>)
    return given.get();
  else if constexpr (passes_through<Param, Given>)
    return static_cast<Given&&>(given);
  else
    return static_cast<std::remove_cvref_t<Param>>(static_cast<Given&&>(given));
}

// An rvalue an asynchronous dispatch keeps as it came, to be converted for each module
// (module_argument): its conversion may refer to it (a std::string_view of a std::string).
template <class Source>
struct owned_source {
  Source value;
};
template <class T>
inline constexpr bool is_owned_source = false;
template <class Source>
inline constexpr bool is_owned_source<owned_source<Source>> = true;

// What one module's call is given for a prepared argument: the argument itself, bound to a
// reference parameter or copied into a by-value one as the call is made; or, for a by-value
// parameter whose copy may throw, the host's copy, made here, before the module's try, so
// that a copy that throws propagates from the dispatch as the host's and is never reported
// as the module's failure. The module's parameter is then moved from it.
// An rvalue reference parameter is an asynchronous slot's by-value one (stored_parameter):
// always a copy, kept by the driver until the module's task completes.
// An owned_source is converted here, for each module, into a value the module's call binds to.
template <class Param, class Element>
constexpr decltype(auto) module_argument(Element& element) {
  if constexpr (is_owned_source<std::remove_const_t<Element>>)
    return static_cast<std::remove_cvref_t<Param>>(element.value);
  else if constexpr (std::is_rvalue_reference_v<Param>)
    return std::remove_reference_t<Param>(element);
  else if constexpr (std::is_reference_v<Param> || std::is_nothrow_copy_constructible_v<Param>)
    return (element);
  else
    return Param(element);
}

// One module's arguments (module_arguments below): each a reference, or the host's copy,
// initialized straight from module_argument's result (an aggregate, so no move is made).
template <std::size_t I, class T>
struct module_argument_slot {
  T value;
};
template <class Indices, class... T>
struct module_argument_pack;
template <std::size_t... I, class... T>
struct module_argument_pack<std::index_sequence<I...>, T...> : module_argument_slot<I, T>... {};

// Argument I as the module's call takes it: a reference as it is, the host's copy moved.
template <std::size_t I, class T>
constexpr T&& pass(module_argument_slot<I, T>& slot) noexcept {
  return static_cast<T&&>(slot.value);
}

// What a callback returns, as its policy sees it: R itself; or, for an asynchronous callback
// (R a task type, or the async_step a slot stores), the value the task gives.
template <class R>
struct callback_result {
  using type = R;
  using task = void;
  static constexpr bool is_async = false;
};
template <task_type R>
struct callback_result<R> {
  using type = typename task_traits<R>::value_type;
  using task = R;
  static constexpr bool is_async = true;
};
template <class Task, class V>
struct callback_result<async_step<Task, V>> {
  using type = V;
  using task = Task;
  static constexpr bool is_async = true;
};

// As prepare_argument, for a dispatch that may outlive the caller's full-expression (an
// asynchronous one, whose task the caller may keep and await later): an rvalue is moved into
// the dispatch's own storage, so that no argument refers to a temporary that is gone. An
// rvalue converted to a trivially copyable type (a view, a span, a pointer, a number: cheap
// to make again) is kept and converted for each module, so that a view refers to the
// dispatch's copy; any other conversion is made here, once.
template <class Param, class Given>
constexpr decltype(auto) prepare_owned_argument(Given&& given) {
  constexpr bool rvalue = !unwraps<Param, std::remove_cvref_t<Given>> && !std::is_lvalue_reference_v<Given>;
  if constexpr (rvalue && passes_through<Param, Given>)
    return std::remove_cvref_t<Given>(static_cast<Given&&>(given));
  else if constexpr (rvalue && std::is_trivially_copyable_v<std::remove_cvref_t<Param>>)
    return owned_source<std::remove_cvref_t<Given>>{static_cast<Given&&>(given)};
  else
    return detail::prepare_argument<Param>(static_cast<Given&&>(given));
}

template <class Sig>
struct signature; // only function types R(A...) are callback signatures

template <class R, class... A>
struct signature<R(A...)> {
  // For an asynchronous callback, what its task gives (see callback_result).
  using result = typename callback_result<R>::type;
  static constexpr bool is_async = callback_result<R>::is_async;
  using task = typename callback_result<R>::task; // void unless asynchronous
  // How a slot stores implementations: as R(A...); an asynchronous one as
  // async_step<Task, value>(A'...), which holds a plain callable's value or a coroutine's
  // task, its by-value parameters taken by reference to the driver's copies (stored_parameter).
  using stored =
      std::conditional_t<is_async && !is_async_step<R>, async_step<task, result>(stored_parameter<A>...), R(A...)>;
  using pointer = R (*)(A...);
  using nothrow_pointer = R (*)(A...) noexcept;
  template <std::size_t I>
  using parameter = std::tuple_element_t<I, std::tuple<A...>>;
  static constexpr std::size_t arity = sizeof...(A);
  static constexpr bool has_rvalue_parameter = (std::is_rvalue_reference_v<A> || ...);
  // Every module receives its own copy of a by-value parameter.
  static constexpr bool by_value_parameters_copyable =
      ((std::is_reference_v<A> || std::is_copy_constructible_v<A>)&&...);
  // Given as a forwarding reference deduces it: T& for an lvalue, T for an rvalue, so a
  // temporary is refused for a non-const reference parameter, as in a plain call.
  template <class... Given>
  static constexpr bool accepts = [] {
    if constexpr (sizeof...(Given) == sizeof...(A)) // else the fold below would be ill-formed
      return (std::is_convertible_v<Given, A> && ...);
    else
      return false;
  }();

  // Each module's arguments, from the prepared ones as they are when it is called:
  // references, and the host's copies where module_argument makes one; taken with pass<I>.
  template <class... Element>
  static constexpr auto module_arguments(Element&... element) {
    return module_argument_pack<std::index_sequence_for<A...>, decltype(detail::module_argument<A>(element))...>{
        {detail::module_argument<A>(element)}...};
  }

  // Converts each argument to its parameter type once, before any module is called and
  // outside any module's try block: a conversion that throws or allocates is the host's,
  // not a module's, and happens once per dispatch, not once per module. Arguments that
  // bind directly are passed through by reference.
  template <class... Given>
  static constexpr auto prepare(Given&&... given) {
    return std::tuple<decltype(detail::prepare_argument<A>(static_cast<Given&&>(given)))...>(
        detail::prepare_argument<A>(static_cast<Given&&>(given))...);
  }
  // For an asynchronous dispatch: lvalues by reference, everything else owned (see
  // prepare_owned_argument; an rvalue converted to a trivially copyable type is the one
  // conversion made for each module, by module_argument, still outside any module's try).
  template <class... Given>
  static constexpr auto prepare_owned(Given&&... given) {
    return std::tuple<decltype(detail::prepare_owned_argument<A>(static_cast<Given&&>(given)))...>(
        detail::prepare_owned_argument<A>(static_cast<Given&&>(given))...);
  }
};

template <class Sig>
concept callback_signature = requires { typename signature<Sig>::result; };

// A callback returning expected<T, E> has value T and error E: an unexpected E is a failure.
template <class R>
struct split_result {
  using value = std::conditional_t<std::is_void_v<R>, std::monostate, R>;
  using error = void;
  static constexpr bool is_expected = false;
};
template <class T, class E>
struct split_result<expected<T, E>> {
  using value = std::conditional_t<std::is_void_v<T>, std::monostate, T>;
  using error = E;
  static constexpr bool is_expected = true;
};

} // namespace detail
MODHOOK_END_NAMESPACE

#endif
