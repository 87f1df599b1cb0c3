// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_BIND_HPP
#define MODHOOK_BIND_HPP

#include <modhook/detail/erased.hpp>

#include <type_traits>

MODHOOK_BEGIN_NAMESPACE
namespace detail {

template <class MemberFunction>
struct member_function_class;
template <class M, class C>
struct member_function_class<M C::*> {
  using type = C;
};

// A member function bound to an object. The function is a template argument, so a call is
// a direct call (no pointer-to-member call at run time); only the object is stored.
template <auto Member, class T>
struct bound_member {
  T* object;

  template <class... X>
  constexpr auto operator()(X&&... args) const noexcept(noexcept((object->*Member)(static_cast<X&&>(args)...)))
      -> decltype((object->*Member)(static_cast<X&&>(args)...)) {
    return (object->*Member)(static_cast<X&&>(args)...);
  }

  // Used by the erased callable: the object pointer is its whole context.
  template <class... X>
  static auto invoke(void* object,
                     X&&... args) noexcept(noexcept((static_cast<T*>(object)->*Member)(static_cast<X&&>(args)...)))
      -> decltype((static_cast<T*>(object)->*Member)(static_cast<X&&>(args)...)) {
    return (static_cast<T*>(object)->*Member)(static_cast<X&&>(args)...);
  }
};

// A function known at compile time: stateless, so it costs no storage at all.
template <auto Function>
struct bound_function {
  template <class... X>
  constexpr auto operator()(X&&... args) const noexcept(noexcept(Function(static_cast<X&&>(args)...)))
      -> decltype(Function(static_cast<X&&>(args)...)) {
    return Function(static_cast<X&&>(args)...);
  }
};

} // namespace detail

/// bind<&T::f>(object): the member function f called on object (a pointer or a reference).
/// The object must outlive the registration.
template <auto Member, class T>
  requires std::is_member_function_pointer_v<decltype(Member)>
constexpr detail::bound_member<Member, T> bind(T* object) noexcept {
  static_assert(std::is_base_of_v<typename detail::member_function_class<decltype(Member)>::type, T>,
                "modhook: bind<&C::f>(object): object is not a C");
  return {object};
}
template <auto Member, class T>
  requires std::is_member_function_pointer_v<decltype(Member)>
constexpr detail::bound_member<Member, T> bind(T& object) noexcept {
  return modhook::bind<Member>(&object);
}

/// bind<&f>(): the function f, called directly; stores nothing.
template <auto Function>
  requires std::is_function_v<std::remove_pointer_t<decltype(Function)>>
constexpr detail::bound_function<Function> bind() noexcept {
  return {};
}

MODHOOK_END_NAMESPACE

#endif
