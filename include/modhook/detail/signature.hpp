#ifndef MODHOOK_DETAIL_SIGNATURE_HPP
#define MODHOOK_DETAIL_SIGNATURE_HPP

#include <modhook/expected.hpp>

#include <optional>
#include <type_traits>
#include <variant>

MODHOOK_BEGIN_NAMESPACE
namespace detail {

template <class Sig>
struct signature; // only function types R(A...) are callback signatures

template <class R, class... A>
struct signature<R(A...)> {
  using result = R;
  // A policy combines values, never a void: a void result is seen as std::monostate.
  using value = R;
  using error = void;
  static constexpr bool returns_expected = false;
  static constexpr bool has_rvalue_parameter = (std::is_rvalue_reference_v<A> || ...);
  template <class... Given>
  static constexpr bool accepts = sizeof...(Given) == sizeof...(A) && (std::is_convertible_v<Given&, A> && ...);
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

template <class T>
inline constexpr bool is_optional = false;
template <class T>
inline constexpr bool is_optional<std::optional<T>> = true;

} // namespace detail
MODHOOK_END_NAMESPACE

#endif
