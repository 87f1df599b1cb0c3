#ifndef MODHOOK_CALLBACK_HPP
#define MODHOOK_CALLBACK_HPP

#include <modhook/policy.hpp>
#include <modhook/detail/erased.hpp>
#include <modhook/detail/signature.hpp>

#include <concepts>
#include <type_traits>
#include <utility>

MODHOOK_BEGIN_NAMESPACE
namespace detail {

enum class callable_check { ok, member_pointer, not_invocable, wrong_result, not_copyable };

template <class F, class Sig>
struct check_callable;
template <class F, class R, class... A>
struct check_callable<F, R(A...)> {
  using D = std::decay_t<F>;
  static constexpr callable_check value = [] {
    if constexpr (std::is_member_pointer_v<D>) {
      return callable_check::member_pointer; // invocable by std::invoke, but it needs an object
    } else if constexpr (!std::is_invocable_v<D&, A...>) {
      return callable_check::not_invocable;
    } else if constexpr (!std::is_void_v<R> && !std::is_convertible_v<std::invoke_result_t<D&, A...>, R>) {
      return callable_check::wrong_result;
    } else if constexpr (storage_for<D, R(A...)>::value == storage_kind::heap && !std::copy_constructible<D>) {
      return callable_check::not_copyable;
    } else {
      return callable_check::ok;
    }
  }();
};

} // namespace detail

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

protected:
  // The named slot checks the callable first (with a message naming the callback) and only
  // then asks for it to be stored, so a mistake produces one error, not a cascade.
  template <class F>
  constexpr callback(std::true_type, F&& f) : detail::erased<Sig>(std::in_place, static_cast<F&&>(f)) {}
  template <class F>
  constexpr callback(std::false_type, F&&) noexcept {}
};

MODHOOK_END_NAMESPACE

#endif
