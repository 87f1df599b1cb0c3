// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_DETAIL_CALL_PARAMETERS_HPP
#define MODHOOK_DETAIL_CALL_PARAMETERS_HPP

// The parameter types a callable declares, where it declares exactly one set: a function
// (pointer), a member function bound with bind<&T::f>, bind<&f>(), or a class with a single,
// non-template operator() (a lambda whose parameters are not `auto`). Otherwise unknown.

#include <modhook/detail/erased.hpp>

#include <type_traits>

MODHOOK_BEGIN_NAMESPACE
namespace detail {

template <auto Function>
struct bound_function; // bind.hpp

template <class... P>
struct parameter_list {};

template <class T>
struct declared_parameters {
  using type = void; // unknown
};
template <class R, class... P>
struct declared_parameters<R (*)(P...)> {
  using type = parameter_list<P...>;
};
template <class R, class... P>
struct declared_parameters<R (*)(P...) noexcept> {
  using type = parameter_list<P...>;
};
// Member functions, as operator() or bound: every qualifier a declaration may carry.
#define MODHOOK_DETAIL_MEMBER_PARAMETERS(QUALIFIERS)                                                                   \
  template <class R, class C, class... P>                                                                              \
  struct declared_parameters<R (C::*)(P...) QUALIFIERS> {                                                              \
    using type = parameter_list<P...>;                                                                                 \
  };                                                                                                                   \
  template <class R, class C, class... P>                                                                              \
  struct declared_parameters<R (C::*)(P...) QUALIFIERS noexcept> {                                                     \
    using type = parameter_list<P...>;                                                                                 \
  };
MODHOOK_DETAIL_MEMBER_PARAMETERS()
MODHOOK_DETAIL_MEMBER_PARAMETERS(const)
MODHOOK_DETAIL_MEMBER_PARAMETERS(&)
MODHOOK_DETAIL_MEMBER_PARAMETERS(const&)
MODHOOK_DETAIL_MEMBER_PARAMETERS(&&)
MODHOOK_DETAIL_MEMBER_PARAMETERS(const&&)
#undef MODHOOK_DETAIL_MEMBER_PARAMETERS

template <auto Member, class T>
struct declared_parameters<bound_member<Member, T>> : declared_parameters<decltype(Member)> {};
template <auto Function>
struct declared_parameters<bound_function<Function>> : declared_parameters<decltype(&*Function)> {};

template <class F>
concept has_one_call_operator = std::is_class_v<F> && requires { &F::operator(); };

template <class F, bool = has_one_call_operator<F>>
struct call_parameters : declared_parameters<F> {};
template <class F>
struct call_parameters<F, true> : declared_parameters<decltype(&F::operator())> {};

template <class F>
using declared_parameters_t = typename call_parameters<F>::type;

// Whether a callable takes by value a parameter that the callback passes by non-const
// reference (the callback means it to be edited): its edits would go to a copy.
template <class Declared, class Passed>
inline constexpr bool takes_a_copy_of_an_editable_argument = false;
template <class... P, class... A>
  requires(sizeof...(P) == sizeof...(A))
inline constexpr bool takes_a_copy_of_an_editable_argument<parameter_list<P...>, parameter_list<A...>> =
    ((std::is_lvalue_reference_v<A> && !std::is_const_v<std::remove_reference_t<A>> && !std::is_reference_v<P>) || ...);

} // namespace detail
MODHOOK_END_NAMESPACE

#endif
