// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_DETAIL_MEMBER_LIST_HPP
#define MODHOOK_DETAIL_MEMBER_LIST_HPP

// A category's callbacks as a list of pointers to members, and what a pointer to member names.

#include <modhook/detail/config.hpp>

MODHOOK_BEGIN_NAMESPACE
namespace detail {

// The members of a category, as pointers to members (the leading int lets the macro emit
// ", &C::x" for every member).
template <int, auto... Members>
struct member_list {};

template <class MemberPointer>
struct member_pointer;
template <class S, class C>
struct member_pointer<S C::*> {
  using category = C;
  using slot = S;
};

} // namespace detail
MODHOOK_END_NAMESPACE

#endif
