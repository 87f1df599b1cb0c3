// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_CATEGORY_HPP
#define MODHOOK_CATEGORY_HPP

#include <modhook/callback.hpp>
#include <modhook/detail/member_list.hpp>
#include <modhook/detail/pp.hpp>

#include <boost/hana/pair.hpp>
#include <boost/hana/string.hpp>
#include <boost/hana/tuple.hpp>

#include <array>
#include <cstddef>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>

MODHOOK_BEGIN_NAMESPACE
namespace detail {

template <std::size_t N>
constexpr std::size_t occurrences(const std::string_view (&names)[N], std::string_view name) noexcept {
  std::size_t count = 0;
  for (std::string_view n : names)
    if (n == name) ++count;
  return count;
}

template <auto Member>
struct member_accessor {
  template <class S>
  constexpr decltype(auto) operator()(S&& s) const noexcept {
    return (static_cast<S&&>(s).*Member);
  }
};

template <class Slot, std::size_t... I>
constexpr auto hana_name(std::index_sequence<I...>) {
  return boost::hana::string_c<Slot::callback_name[I]...>;
}

template <auto... Members>
constexpr auto hana_accessors(member_list<0, Members...>) {
  return boost::hana::make_tuple(boost::hana::make_pair(
      hana_name<typename member_pointer<decltype(Members)>::slot>(
          std::make_index_sequence<member_pointer<decltype(Members)>::slot::callback_name.size()>{}),
      member_accessor<Members>{})...);
}

} // namespace detail

/// A struct declared with MODHOOK_CALLBACKS.
template <class C>
concept category = requires {
  { C::modhook_category_name } -> std::convertible_to<std::string_view>;
  C::modhook_members();
};

/// A pointer to a callback member of a category: &third_party_rules::on_new_event.
template <auto Member>
concept callback_member = std::is_member_object_pointer_v<decltype(Member)> &&
                          category<typename detail::member_pointer<decltype(Member)>::category>;

/// The category a callback belongs to, and the slot type that describes it.
template <auto Member>
using category_of = typename detail::member_pointer<decltype(Member)>::category;
template <auto Member>
using slot_of = typename detail::member_pointer<decltype(Member)>::slot;

/// Names usable at run time, for logs and errors.
template <category C>
inline constexpr std::string_view category_name = C::modhook_category_name;

template <auto Member>
inline constexpr callback_ref callback_name{slot_of<Member>::category_name, slot_of<Member>::callback_name};

template <category C>
inline constexpr std::span<const std::string_view> callback_names{C::modhook_names + 1,
                                                                  std::size(C::modhook_names) - 1};

MODHOOK_END_NAMESPACE

#define MODHOOK_DETAIL_NAME(CAT, NAME, ...) , #NAME
#define MODHOOK_DETAIL_MEMBER(CAT, NAME, ...) , &CAT::NAME
// More entries than the for-each takes: one error, from the list of names.
#define MODHOOK_DETAIL_NAME_TOO_MANY , modhook_error_a_category_holds_at_most_128_callbacks
#define MODHOOK_DETAIL_MEMBER_TOO_MANY
#define MODHOOK_DETAIL_SLOT_TOO_MANY
#define MODHOOK_DETAIL_SLOT(CAT, NAME, POLICY, ...)                                                                    \
  struct modhook_slot_##NAME                                                                                           \
      : ::modhook::detail::named_callback<modhook_slot_##NAME, ::modhook::detail::occurrences(modhook_names, #NAME),   \
                                          POLICY, __VA_ARGS__> {                                                       \
    /* (The base's own name: the entry's types, spelled again here, would be looked up */                              \
    /* in the slot's scope, where the base's member types, `context` say, hide the user's.) */                         \
    using modhook_base = named_callback;                                                                               \
    using modhook_base::modhook_base;                                                                                  \
    /* an implementation of an older signature (modhook::revised), adapted; deprecated here, */                        \
    /* so that the warning names the slot, at the line that gives the callable */                                      \
    template <class F>                                                                                                 \
      requires(!::std::is_base_of_v<::modhook::detail::erased_base, ::std::remove_cvref_t<F>> &&                       \
               modhook_base::template modhook_adapts_parameters<F>)                                                    \
    [[deprecated("modhook: this callable implements an older signature of the callback, which has gained "             \
                 "parameters since: it is adapted and called without them; take them to implement the current "        \
                 "signature")]] constexpr modhook_slot_##NAME(F&& f)                                                   \
        : modhook_base(typename modhook_base::adapted_tag{}, static_cast<F&&>(f)) {}                                   \
    template <class F>                                                                                                 \
      requires(!::std::is_base_of_v<::modhook::detail::erased_base, ::std::remove_cvref_t<F>> &&                       \
               modhook_base::template modhook_adapts_result<F>)                                                        \
    [[deprecated("modhook: this callable implements an older signature of the callback, whose result type has "        \
                 "changed since: its result is converted as the category declares; return the current result "         \
                 "type (and take the current parameters) to implement the current "                                    \
                 "signature")]] constexpr modhook_slot_##NAME(F&& f)                                                   \
        : modhook_base(typename modhook_base::adapted_tag{}, static_cast<F&&>(f)) {}                                   \
    /* the category author's mistakes, reported here (in the base, they would be one */                                \
    /* instantiation deeper); false after one, and a dispatch is then an empty result */                               \
    [[maybe_unused]] static constexpr bool modhook_declared =                                                          \
        ::modhook::detail::check_declaration<modhook_slot_##NAME, modhook_base::modhook_occurrences,                   \
                                             typename modhook_base::modhook_policy,                                    \
                                             typename modhook_base::modhook_declared_signature>();                     \
    using modhook_category = CAT;                                                                                      \
    [[maybe_unused]] static constexpr ::std::string_view category_name = #CAT;                                         \
    [[maybe_unused]] static constexpr ::std::string_view callback_name = #NAME;                                        \
  };                                                                                                                   \
  modhook_slot_##NAME NAME = {};

/// Declares a category inside a struct: each entry is (name, policy, signature). The
/// signature comes last so that it may contain commas (expected<T, E>(...)).
///
///   struct third_party_rules {
///     MODHOOK_CALLBACKS(third_party_rules,
///       (check_event_allowed, modhook::all_must_pass, allow_result(const event&, const state_map&)),
///       (on_new_event,        modhook::run_all,       void(const event&, const state_map&)));
///   };
///
/// The struct stays an aggregate: modules fill it with designated initializers. It is also
/// a Boost.Hana Struct whose keys are the callback names.
#define MODHOOK_CALLBACKS(CAT, ...)                                                                                    \
  [[maybe_unused]] static constexpr ::std::string_view modhook_category_name = #CAT;                                   \
  [[maybe_unused]] static constexpr ::std::string_view modhook_names[] = {                                             \
      ::std::string_view{} MODHOOK_PP_FOR_EACH(MODHOOK_DETAIL_NAME, CAT, __VA_ARGS__)};                                \
  MODHOOK_PP_FOR_EACH(MODHOOK_DETAIL_SLOT, CAT, __VA_ARGS__)                                                           \
  [[maybe_unused]] static constexpr auto modhook_members() noexcept {                                                  \
    return ::modhook::detail::member_list<0 MODHOOK_PP_FOR_EACH(MODHOOK_DETAIL_MEMBER, CAT, __VA_ARGS__)>{};           \
  }                                                                                                                    \
  struct hana_accessors_impl { /* a template, so it costs nothing until Boost.Hana asks for it */                      \
    template <class Category = CAT>                                                                                    \
    static constexpr auto apply() {                                                                                    \
      return ::modhook::detail::hana_accessors(Category::modhook_members());                                           \
    }                                                                                                                  \
  }

#endif
