// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_CALLBACK_HPP
#define MODHOOK_CALLBACK_HPP

#include <modhook/policy.hpp>
#include <modhook/revised.hpp>
#include <modhook/detail/call_parameters.hpp>
#include <modhook/detail/diagnostics.hpp>
#include <modhook/detail/erased.hpp>
#include <modhook/detail/signature.hpp>

#include <concepts>
#include <cstddef>
#include <optional>
#include <type_traits>
#include <utility>

MODHOOK_BEGIN_NAMESPACE
namespace detail {

enum class callable_check {
  ok,
  member_pointer,
  not_invocable,
  wrong_result,
  accidental_bool,
  copies_an_editable_argument,
  not_copyable,
  other_task_type
};

// The type a decision is made of: T itself, or what an optional or an expected holds.
template <class T>
struct decision_core {
  using type = T;
};
template <class T>
struct decision_core<std::optional<T>> : decision_core<std::remove_cv_t<T>> {};
template <class T, class E>
struct decision_core<expected<T, E>> : decision_core<std::remove_cv_t<T>> {};
template <class T>
using decision_core_t = typename decision_core<std::remove_cvref_t<T>>::type;

// A callable whose result converts to the callback's bool (bare, or in an optional or an
// expected) only as a pointer, a number or an enumeration does: legal C++, and almost always
// a mistake for a verdict. A string literal or a C string is `true`, so a Synapse module
// ported literally (`return blocked ? "M_FORBIDDEN" : nullptr;`) would allow what it meant
// to refuse; an integer (a count, an error code) is `true` when it is not 0, which is not
// what the callback asks. Only a bool, or a class that chooses to convert to one, is taken.
template <class R, class Given>
inline constexpr bool converts_to_bool_by_accident =
    std::is_same_v<decision_core_t<R>, bool> && !std::is_same_v<decision_core_t<Given>, bool> &&
    (std::is_pointer_v<decision_core_t<Given>> || std::is_null_pointer_v<decision_core_t<Given>> ||
     std::is_arithmetic_v<decision_core_t<Given>> || std::is_enum_v<decision_core_t<Given>>);

template <class F, class Sig>
struct check_callable;
template <class F, class R, class... A>
struct check_callable<F, R(A...)> {
  using D = std::decay_t<F>;
  static constexpr callable_check value = [] {
    if constexpr (signature<R(A...)>::is_async) {
      // An asynchronous slot takes a coroutine of its own task type, or a plain callable
      // checked as one of the value's (called inline).
      using task = typename signature<R(A...)>::task;
      using value = typename signature<R(A...)>::result;
      if constexpr (std::is_member_pointer_v<D> || !std::is_invocable_v<D&, A...>)
        return check_callable<F, value(A...)>::value;
      else if constexpr (std::is_same_v<std::remove_cvref_t<std::invoke_result_t<D&, A...>>, task>)
        return check_callable<F, void(A...)>::value;
      else if constexpr (task_type<std::remove_cvref_t<std::invoke_result_t<D&, A...>>>)
        return callable_check::other_task_type;
      else
        return check_callable<F, value(A...)>::value;
    } else if constexpr (std::is_member_pointer_v<D>) {
      return callable_check::member_pointer; // invocable by std::invoke, but it needs an object
    } else if constexpr (!std::is_invocable_v<D&, A...>) {
      return callable_check::not_invocable;
    } else if constexpr (!std::is_void_v<R> && !std::is_convertible_v<std::invoke_result_t<D&, A...>, R>) {
      return callable_check::wrong_result;
    } else if constexpr (converts_to_bool_by_accident<R, std::invoke_result_t<D&, A...>>) {
      return callable_check::accidental_bool;
    } else if constexpr (takes_a_copy_of_an_editable_argument<declared_parameters_t<D>, parameter_list<A...>>) {
      return callable_check::copies_an_editable_argument;
    } else if constexpr (storage_for<D, R(A...)>::value == storage_kind::heap && !std::copy_constructible<D>) {
      return callable_check::not_copyable;
    } else {
      return callable_check::ok;
    }
  }();
};

} // namespace detail

namespace detail {
template <class Policy>
inline constexpr bool is_all_must_pass = false;
template <on_module_failure OnFailure>
inline constexpr bool is_all_must_pass<all_must_pass_policy<OnFailure>> = true;
template <class Policy>
inline constexpr bool is_all_must_pass<exclusive<Policy>> = is_all_must_pass<Policy>;
template <class Sig>
using value_of_signature = typename split_result<typename signature<Sig>::result>::value;
} // namespace detail

namespace diagnostic {
// diagnostics: conditions callback.hpp (written by scripts/diagnostics.py from its table)
template <class Slot, std::size_t Occurrences>
inline constexpr bool callback_name_is_listed_once = Occurrences == 1;
template <class Slot, class Signature>
inline constexpr bool signature_is_a_function_type_R_of_Args = detail::callback_signature<Signature>;
template <class Slot, class Signature>
inline constexpr bool signature_has_no_rvalue_reference_parameter = !detail::signature<Signature>::has_rvalue_parameter;
template <class Slot, class Signature>
inline constexpr bool signature_by_value_parameters_are_copyable =
    detail::signature<Signature>::by_value_parameters_copyable;
template <class Slot, class Policy, class Value>
inline constexpr bool all_must_pass_finds_pass_traits_for_the_result =
    !detail::is_all_must_pass<Policy> || passable<Value>;
template <class Slot, class Policy, class Signature>
inline constexpr bool policy_combines_the_callback_result =
    policy_for<Policy, typename detail::split_result<typename detail::signature<Signature>::result>::value,
               typename detail::split_result<typename detail::signature<Signature>::result>::error>;
template <class Slot, class Signature, class Given>
inline constexpr bool callable_is_not_a_pointer_to_member =
    detail::check_callable<Given, Signature>::value != detail::callable_check::member_pointer;
template <class Slot, class Signature, class Given>
inline constexpr bool callable_takes_the_callback_arguments =
    detail::check_callable<Given, Signature>::value != detail::callable_check::not_invocable;
template <class Slot, class Signature, class Given>
inline constexpr bool callable_result_converts_to_the_callback_result =
    detail::check_callable<Given, Signature>::value != detail::callable_check::wrong_result;
template <class Slot, class Signature, class Given>
inline constexpr bool callable_returns_a_bool_not_a_pointer_or_a_number =
    detail::check_callable<Given, Signature>::value != detail::callable_check::accidental_bool;
template <class Slot, class Signature, class Given>
inline constexpr bool callable_takes_by_reference_what_the_callback_passes_to_edit =
    detail::check_callable<Given, Signature>::value != detail::callable_check::copies_an_editable_argument;
template <class Slot, class Signature, class Given>
inline constexpr bool coroutine_returns_the_callback_task_type =
    detail::check_callable<Given, Signature>::value != detail::callable_check::other_task_type;
template <class Slot, class Signature, class Given>
inline constexpr bool callable_stored_on_the_heap_is_copyable =
    detail::check_callable<Given, Signature>::value != detail::callable_check::not_copyable;
template <class Slot, class Signature, class... Given>
inline constexpr bool dispatch_arguments_convert_to_the_callback_parameters =
    detail::signature<Signature>::template accepts<Given...>;
// diagnostics: end
} // namespace diagnostic

/// The type of one callback slot: a signature, a policy, and a type-erased callable that
/// is empty until a module sets it. MODHOOK_CALLBACKS derives one named slot type per
/// callback from it; those carry the names that modhook's error messages quote.
template <class Sig, class Policy>
class callback : public detail::erased<Sig> {
public:
  using signature = Sig;
  using policy = Policy;
  using result_type = typename detail::signature<Sig>::result;
  /// What the policy combines: the result, void as std::monostate, expected<T, E> as T.
  using value_type = typename detail::split_result<result_type>::value;
  /// E for a callback returning expected<T, E>, else void.
  using error_type = typename detail::split_result<result_type>::error;

  constexpr callback() noexcept = default;
  constexpr callback(std::nullptr_t) noexcept {}
  constexpr callback(typename detail::signature<Sig>::pointer f) noexcept : detail::erased<Sig>(f) {}
  constexpr callback(typename detail::signature<Sig>::nothrow_pointer f) noexcept : detail::erased<Sig>(f) {}

protected:
  // The named slot checks the callable first (with an error naming the callback) and only
  // then asks for it to be stored, so a mistake produces one error, not a cascade.
  template <class F>
  constexpr callback(std::true_type, F&& f) : detail::erased<Sig>(std::in_place, static_cast<F&&>(f)) {}
  template <class F>
  constexpr callback(std::false_type, F&&) noexcept {}
};

namespace detail {

// What dispatch code needs of a slot: its signature and policy (the names travel at run
// time). Code keyed on this is compiled once for all callbacks of that signature and policy.
template <class Slot>
using shape_of = callback<typename Slot::signature, typename Slot::policy>;

// The base of every slot type MODHOOK_CALLBACKS declares (`Slot`, whose name carries the
// category's and the callback's): accepts any callable, and checks it and the arguments of
// a dispatch here, in a template, so that an error names the slot (see diagnostics.hpp).
// A signature that is not a function type (the entry's parts in the wrong order, say) is
// reported once, and replaced by this so that nothing else fails on it.
template <class Sig>
using signature_or_placeholder = std::conditional_t<callback_signature<Sig>, Sig, void()>;

// Whether a callable implements a form of a signature: its checks pass, and, with Exact, it
// returns the form's result itself (an asynchronous form's task, or its value), not a type that
// converts to it.
template <class F, class Sig, bool Exact>
struct implements_form : std::bool_constant<check_callable<F, Sig>::value == callable_check::ok> {};
template <class F, class R, class... A>
struct implements_form<F, R(A...), true> {
  static constexpr bool value = [] {
    if constexpr (check_callable<F, R(A...)>::value != callable_check::ok) {
      return false;
    } else {
      using given = std::remove_cvref_t<std::invoke_result_t<std::decay_t<F>&, A...>>;
      return std::is_same_v<given, R> || std::is_same_v<given, typename signature<R(A...)>::result>;
    }
  }();
};

// The first older form (modhook::revised) a callable implements (Exact: returning its result
// itself), or void.
template <class F, class Olders, bool Exact>
struct first_older_form {
  using type = void;
};
template <class F, class Older, class... Rest, bool Exact>
struct first_older_form<F, older_list<Older, Rest...>, Exact>
    : std::conditional_t<implements_form<F, typename older_parts<Older>::signature, Exact>::value,
                         std::type_identity<Older>, first_older_form<F, older_list<Rest...>, Exact>> {};

// The older form a callable given for a callback is taken as, or void for the current one: a
// form whose result it returns itself comes before one it converts to (an older form whose
// result converts to the current result is taken as that form, with its Convert), the
// current form before an older one, and older forms in the order listed.
template <class F, class Sig, class Olders>
struct older_form_of {
  using exact = typename first_older_form<F, Olders, true>::type;
  using type =
      std::conditional_t<implements_form<F, Sig, true>::value, void,
                         std::conditional_t<!std::is_void_v<exact>, exact,
                                            std::conditional_t<implements_form<F, Sig, false>::value, void,
                                                               typename first_older_form<F, Olders, false>::type>>>;
};

// Whether every older form in a revised signature is one (modhook::older<S> or
// older<S, Convert>), whose parameters are the first of the current signature's, and whose
// result is the current one or is converted to it by Convert.
template <class Sig, class Olders>
inline constexpr bool olders_are_older = true;
template <class Sig, class... Older>
inline constexpr bool olders_are_older<Sig, older_list<Older...>> = (older_parts<Older>::valid && ...);
template <class Sig, class Olders>
inline constexpr bool olders_are_prefixes = true;
template <class Sig, class... Older>
inline constexpr bool olders_are_prefixes<Sig, older_list<Older...>> = (older_is_a_prefix<Older, Sig> && ...);
template <class Older, class Sig>
inline constexpr bool older_result_fits = true;
template <class OR, class... OA, auto Convert, class R, class... A>
inline constexpr bool older_result_fits<older<OR(OA...), Convert>, R(A...)> = [] {
  if constexpr (std::is_null_pointer_v<decltype(Convert)>)
    return std::is_same_v<OR, R>;
  else if constexpr (!std::is_invocable_v<decltype(Convert), OR>)
    return false;
  else
    return std::is_convertible_v<std::invoke_result_t<decltype(Convert), OR>, typename signature<R(A...)>::result>;
}();
template <class Sig, class Olders>
inline constexpr bool olders_results_fit = true;
template <class Sig, class... Older>
inline constexpr bool olders_results_fit<Sig, older_list<Older...>> = (older_result_fits<Older, Sig> && ...);

// Reports the first of the category author's mistakes in an entry, and says whether there
// was none.
template <class Slot, std::size_t Occurrences, class Policy, class Declared, class Sig = current_signature_t<Declared>>
constexpr bool check_declaration() noexcept {
  using olders = typename revision<Declared>::olders;
  static_assert(olders_are_older<Sig, olders>,
                "modhook: revised<Sig, Older...>: write each older form as modhook::older<S> or "
                "modhook::older<S, Convert>, S a function type");
  static_assert(!callback_signature<Sig> || !olders_are_older<Sig, olders> || olders_are_prefixes<Sig, olders>,
                "modhook: revised<Sig, older<S>...>: each older signature S must be a function type whose parameters "
                "are the first parameters of Sig (those added later come after them)");
  static_assert(!callback_signature<Sig> || !olders_are_older<Sig, olders> || !olders_are_prefixes<Sig, olders> ||
                    olders_results_fit<Sig, olders>,
                "modhook: revised<Sig, older<S, Convert>...>: an older signature S with another result than Sig's "
                "needs a Convert, a function taking S's result and returning what converts to Sig's");
  // diagnostics: site declaration (written by scripts/diagnostics.py from its table)
  if constexpr (!diagnostic::callback_name_is_listed_once<Slot, Occurrences>) {
#if defined(__clang__)
    static_assert(diagnostic::callback_name_is_listed_once<Slot, Occurrences>,
                  "modhook: this callback name is listed more than once in the category");
#else
    static_assert(std::is_void_v<decltype(error::this_callback_name_is_listed_more_than_once_in_the_category<Slot>())>);
#endif
    return false;
  } else if constexpr (!diagnostic::signature_is_a_function_type_R_of_Args<Slot, Sig>) {
#if defined(__clang__)
    static_assert(
        diagnostic::signature_is_a_function_type_R_of_Args<Slot, Sig>,
        "modhook: the callback's signature is not a function type R(Args...); entries are (name, policy, signature)");
#else
    static_assert(
        std::is_void_v<decltype(error::the_signature_is_not_a_function_type_R_of_Args_entries_are_name_policy_signature<
                                Slot, Sig>())>);
#endif
    return false;
  } else if constexpr (!diagnostic::signature_has_no_rvalue_reference_parameter<Slot, Sig>) {
#if defined(__clang__)
    static_assert(diagnostic::signature_has_no_rvalue_reference_parameter<Slot, Sig>,
                  "modhook: the callback's signature has an rvalue-reference parameter, but every module receives the "
                  "same arguments");
#else
    static_assert(std::is_void_v<decltype(error::the_signature_has_an_rvalue_reference_parameter<Slot, Sig>())>);
#endif
    return false;
  } else if constexpr (!diagnostic::signature_by_value_parameters_are_copyable<Slot, Sig>) {
#if defined(__clang__)
    static_assert(diagnostic::signature_by_value_parameters_are_copyable<Slot, Sig>,
                  "modhook: the callback's signature has a by-value parameter that cannot be copied, but every module "
                  "receives its own copy: take it by const reference");
#else
    static_assert(
        std::is_void_v<decltype(error::a_by_value_parameter_must_be_copyable_every_module_gets_a_copy<Slot, Sig>())>);
#endif
    return false;
  } else if constexpr (!diagnostic::all_must_pass_finds_pass_traits_for_the_result<Slot, Policy,
                                                                                   value_of_signature<Sig>>) {
#if defined(__clang__)
    static_assert(diagnostic::all_must_pass_finds_pass_traits_for_the_result<Slot, Policy, value_of_signature<Sig>>,
                  "modhook: all_must_pass needs modhook::pass_traits<T>::passes(const T&) for the callback's result "
                  "type T: specialize it before declaring the category");
#else
    static_assert(std::is_void_v<decltype(error::all_must_pass_needs_a_pass_traits_specialization_for_the_result<
                                          Slot, value_of_signature<Sig>>())>);
#endif
    return false;
  } else if constexpr (!diagnostic::policy_combines_the_callback_result<Slot, Policy, Sig>) {
#if defined(__clang__)
    static_assert(diagnostic::policy_combines_the_callback_result<Slot, Policy, Sig>,
                  "modhook: the callback's policy cannot combine the result of its signature");
#else
    static_assert(std::is_void_v<decltype(error::the_policy_cannot_combine_the_callback_result<Slot, Policy, Sig>())>);
#endif
    return false;
  } else {
    return true;
  }
  // diagnostics: end
}

// Occurrences: how often the category lists this callback's name (must be 1).
template <class Slot, std::size_t Occurrences, class Policy, class DeclaredSig,
          class Sig = signature_or_placeholder<current_signature_t<DeclaredSig>>,
          class Stored = typename signature<Sig>::stored>
class named_callback : public callback<Stored, Policy> {
public:
  // The entry as the category declared it, for the checks made in the slot (category.hpp).
  static constexpr std::size_t modhook_occurrences = Occurrences;
  using modhook_policy = Policy;
  using modhook_declared_signature = DeclaredSig;

private:
  // The older form a callable implements, when it does not implement the current one.
  template <class F>
  using older_form = typename older_form_of<F, Sig, typename revision<DeclaredSig>::olders>::type;
  template <class F>
  static constexpr bool adapts_parameters = !std::is_void_v<older_form<F>> && !older_parts<older_form<F>>::converts;
  template <class F>
  static constexpr bool adapts_result = !std::is_void_v<older_form<F>> && older_parts<older_form<F>>::converts;

public:
  constexpr named_callback() noexcept = default;
  constexpr named_callback(std::nullptr_t) noexcept {}
  // A function of exactly the callback's signature needs no check (and no template). (An
  // asynchronous slot's functions are checked: a coroutine, or a plain function.)
  constexpr named_callback(typename signature<Sig>::pointer f) noexcept
    requires(!signature<Sig>::is_async)
      : callback<Stored, Policy>(f) {}
  constexpr named_callback(typename signature<Sig>::nothrow_pointer f) noexcept
    requires(!signature<Sig>::is_async)
      : callback<Stored, Policy>(f) {}

  // Which older form of the signature (modhook::revised) a callable implements, if it does not
  // implement the current one: the slot's own deprecated constructors take it (category.hpp),
  // so that the compiler's warning points where the callable is given.
  // (Asked only of a callable that is not an erased one: see below.)
  template <class F>
  static constexpr bool modhook_adapts_parameters = adapts_parameters<F>;
  template <class F>
  static constexpr bool modhook_adapts_result = adapts_result<F>;

  // (Another slot, an erased callable, is never of an older form: asking would make its
  // constructors' constraints depend on themselves.)
  template <class F>
    requires(!std::is_base_of_v<named_callback, std::remove_cvref_t<F>> &&
             (std::is_base_of_v<erased_base, std::remove_cvref_t<F>> || std::is_void_v<older_form<F>>))
  constexpr named_callback(F&& f)
      : callback<Stored, Policy>(std::bool_constant<check_callable<F, Sig>::value == callable_check::ok>{},
                                 static_cast<F&&>(f)) {
    using given = std::remove_cvref_t<F>;
    // diagnostics: site callable (written by scripts/diagnostics.py from its table)
    if constexpr (!diagnostic::callable_is_not_a_pointer_to_member<Slot, Sig, given>) {
#if defined(__clang__)
      static_assert(diagnostic::callable_is_not_a_pointer_to_member<Slot, Sig, given>,
                    "modhook: a pointer to member needs an object: use modhook::bind<&T::f>(object)");
#else
      static_assert(
          std::is_void_v<decltype(error::a_pointer_to_member_needs_an_object_use_modhook_bind<Slot, Sig, given>())>);
#endif
    } else if constexpr (!diagnostic::callable_takes_the_callback_arguments<Slot, Sig, given>) {
#if defined(__clang__)
      static_assert(diagnostic::callable_takes_the_callback_arguments<Slot, Sig, given>,
                    "modhook: the callable cannot be called with the arguments of the callback's signature");
#else
      static_assert(std::is_void_v<
                    decltype(error::the_callable_cannot_be_called_with_the_callback_arguments<Slot, Sig, given>())>);
#endif
    } else if constexpr (!diagnostic::callable_result_converts_to_the_callback_result<Slot, Sig, given>) {
#if defined(__clang__)
      static_assert(diagnostic::callable_result_converts_to_the_callback_result<Slot, Sig, given>,
                    "modhook: the callable's result does not convert to the result of the callback's signature");
#else
      static_assert(std::is_void_v<
                    decltype(error::the_callable_result_does_not_convert_to_the_callback_result<Slot, Sig, given>())>);
#endif
    } else if constexpr (!diagnostic::callable_returns_a_bool_not_a_pointer_or_a_number<Slot, Sig, given>) {
#if defined(__clang__)
      static_assert(diagnostic::callable_returns_a_bool_not_a_pointer_or_a_number<Slot, Sig, given>,
                    "modhook: the callback decides with a bool: a pointer, a string, a number or an enumeration "
                    "converts to it by accident (a string is true); return a bool");
#else
      static_assert(
          std::is_void_v<decltype(error::the_callback_decides_with_a_bool_return_one_not_a_pointer_or_a_number<
                                  Slot, Sig, given>())>);
#endif
    } else if constexpr (!diagnostic::callable_takes_by_reference_what_the_callback_passes_to_edit<Slot, Sig, given>) {
#if defined(__clang__)
      static_assert(
          diagnostic::callable_takes_by_reference_what_the_callback_passes_to_edit<Slot, Sig, given>,
          "modhook: the callback passes an argument by non-const reference, for modules to edit, but the callable "
          "takes it by value: its edits would be lost (take it by reference, or by const reference not to edit it)");
#else
      static_assert(std::is_void_v<
                    decltype(error::the_callable_takes_by_value_what_the_callback_passes_to_edit<Slot, Sig, given>())>);
#endif
    } else if constexpr (!diagnostic::coroutine_returns_the_callback_task_type<Slot, Sig, given>) {
#if defined(__clang__)
      static_assert(diagnostic::coroutine_returns_the_callback_task_type<Slot, Sig, given>,
                    "modhook: the callable returns a task of another type than the asynchronous callback's");
#else
      static_assert(
          std::is_void_v<
              decltype(error::the_callable_returns_a_task_of_another_type_than_the_callback<Slot, Sig, given>())>);
#endif
    } else if constexpr (!diagnostic::callable_stored_on_the_heap_is_copyable<Slot, Sig, given>) {
#if defined(__clang__)
      static_assert(diagnostic::callable_stored_on_the_heap_is_copyable<Slot, Sig, given>,
                    "modhook: a callable stored on the heap must be copy-constructible");
#else
      static_assert(std::is_void_v<
                    decltype(error::a_callable_stored_on_the_heap_must_be_copy_constructible<Slot, Sig, given>())>);
#endif
    }
    // diagnostics: end
  }

protected:
  struct adapted_tag {};
  // A callable of an older form, adapted to the current one.
  template <class F>
  constexpr named_callback(adapted_tag, F&& f)
      : callback<Stored, Policy>(std::true_type{},
                                 older_adapter_t<F, older_form<F>, Sig>(std::in_place, static_cast<F&&>(f))) {}

public:
  /// Whether a dispatch may pass these arguments.
  template <class... Args>
  static constexpr bool modhook_accepts =
      diagnostic::dispatch_arguments_convert_to_the_callback_parameters<Slot, Sig, Args...>;

  /// The error for a dispatch that may not: called only then, from the dispatch.
  template <class... Args>
  static void modhook_reject_dispatch() noexcept {
    // diagnostics: site dispatch (written by scripts/diagnostics.py from its table)
    if constexpr (!diagnostic::dispatch_arguments_convert_to_the_callback_parameters<Slot, Sig, Args...>) {
#if defined(__clang__)
      static_assert(diagnostic::dispatch_arguments_convert_to_the_callback_parameters<Slot, Sig, Args...>,
                    "modhook: the dispatch arguments do not convert to the parameters of the callback's signature");
#else
      static_assert(
          std::is_void_v<
              decltype(error::the_dispatch_arguments_do_not_convert_to_the_callback_parameters<Slot, Sig, Args...>())>);
#endif
    }
    // diagnostics: end
  }
};

} // namespace detail

MODHOOK_END_NAMESPACE

#endif
