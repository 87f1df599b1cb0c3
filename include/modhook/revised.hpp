// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_REVISED_HPP
#define MODHOOK_REVISED_HPP

// A callback's older signatures: what modules written before a change still implement. An
// implementation of an older form is adapted where it is given, at compile time (the
// parameters added since are not passed to it; an older result is converted), and the
// compiler warns that it is (see callback.hpp).

#include <modhook/detail/config.hpp>

#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

MODHOOK_BEGIN_NAMESPACE

/// An older form of a callback's signature, for `modhook::revised`: its parameters are the
/// first ones of the current signature (those added since come after them); its result is the
/// current one, or converts to it by `Convert`, a function (pointer) taking the older result.
///
///   modhook::older<bool(const event&), &verdict_from_bool>   // was bool, and had no context
template <class Sig, auto Convert = nullptr>
struct older {};

/// A callback's signature `Sig`, and the older forms implementations may still be written
/// against, given in a category entry in the signature's place:
///
///   (check_event_for_spam, modhook::all_must_pass,
///    modhook::revised<spam_verdict(const event&, const context&),
///                     modhook::older<spam_verdict(const event&)>,
///                     modhook::older<bool(const event&), &verdict_from_bool>>)
template <class Sig, class... Older>
struct revised {};

namespace detail {

template <class... Older>
struct older_list {};

// The current signature of a category entry's declaration, and its older forms.
template <class Declared>
struct revision {
  using current = Declared;
  using olders = older_list<>;
};
template <class Sig, class... Older>
struct revision<revised<Sig, Older...>> {
  using current = Sig;
  using olders = older_list<Older...>;
};
template <class Declared>
using current_signature_t = typename revision<Declared>::current;

template <class Older>
struct older_parts {
  static constexpr bool valid = false;
  static constexpr bool converts = false;
};
template <class R, class... A, auto Convert>
struct older_parts<older<R(A...), Convert>> {
  static constexpr bool valid = true;
  using signature = R(A...);
  static constexpr std::size_t arity = sizeof...(A);
  static constexpr bool converts = !std::is_null_pointer_v<decltype(Convert)>;
};

// Whether Older's parameters are the first ones of Sig's.
template <class Older, class Sig>
inline constexpr bool older_is_a_prefix = false;
template <class OR, class... OA, auto Convert, class R, class... A>
  requires(sizeof...(OA) <= sizeof...(A))
inline constexpr bool older_is_a_prefix<older<OR(OA...), Convert>, R(A...)> =
    []<std::size_t... I>(std::index_sequence<I...>) {
      return (std::is_same_v<OA, std::tuple_element_t<I, std::tuple<A...>>> && ...);
    }(std::index_sequence_for<OA...>{});

// An implementation of an older form, seen as one of the current signature: called with the
// first parameters, its result converted. As small as the callable it holds (nothing more
// when that is stateless), and called inline.
template <class F, class Older, class Sig, class Indices>
class older_adapter;
template <class F, class OR, class... OA, auto Convert, class R, class... A, std::size_t... I>
class older_adapter<F, older<OR(OA...), Convert>, R(A...), std::index_sequence<I...>> {
public:
  constexpr older_adapter() = default; // (a stateless callable is stored as such)
  template <class G>
  constexpr explicit older_adapter(std::in_place_t, G&& g) : f_(static_cast<G&&>(g)) {}

  constexpr decltype(auto) operator()(A... a) { return call(f_, static_cast<A&&>(a)...); }
  constexpr decltype(auto) operator()(A... a) const
    requires std::is_invocable_v<const F&, OA...>
  {
    return call(f_, static_cast<A&&>(a)...);
  }

private:
  template <class Self>
  static constexpr decltype(auto) call(Self& f, A&&... a) {
    if constexpr (std::is_null_pointer_v<decltype(Convert)>)
      return f(std::get<I>(std::forward_as_tuple(static_cast<A&&>(a)...))...);
    else
      return Convert(f(std::get<I>(std::forward_as_tuple(static_cast<A&&>(a)...))...));
  }

  [[no_unique_address]] F f_;
};
template <class F, class Older, class Sig>
using older_adapter_t = older_adapter<std::decay_t<F>, Older, Sig, std::make_index_sequence<older_parts<Older>::arity>>;

} // namespace detail
MODHOOK_END_NAMESPACE

#endif
