#ifndef MODHOOK_TESTS_TEST_CATEGORIES_HPP
#define MODHOOK_TESTS_TEST_CATEGORIES_HPP

// Categories shaped like Synapse's, shared by the behaviour tests.

#include <modhook/modhook.hpp>

#include <optional>
#include <set>
#include <string>
#include <system_error>
#include <vector>

namespace test {

struct event {
  std::string sender;
  std::string body;
};

// A spam verdict whose "pass" value is not `true`: exercises pass_traits.
enum class spam_verdict { not_spam, spam, suspicious };

struct module_error {
  std::string what;
};

} // namespace test

// Specialized before any category uses the type: the policy is checked where it is declared.
template <>
struct modhook::pass_traits<test::spam_verdict> {
  static constexpr bool passes(test::spam_verdict v) noexcept { return v == test::spam_verdict::not_spam; }
};

namespace test {

// A presence-router-like policy: unions every module's set (a user-defined policy).
struct union_all {
  template <class T, class E>
  class combiner {
  public:
    bool on_result(T&& value, const modhook::module_source&) {
      merged_.insert(value.begin(), value.end());
      return true;
    }
    bool on_failure(modhook::failure<E>&&) {
      ++failures_;
      return true;
    }
    std::pair<T, int> finish() && { return {std::move(merged_), failures_}; }

  private:
    T merged_;
    int failures_ = 0;
  };
};

struct rules {
  MODHOOK_CALLBACKS(rules,
    (check_event_allowed, modhook::all_must_pass, bool(const event&)),
    (check_threepid_can_be_invited, modhook::all_must_pass_fail_open, bool(const std::string&)),
    (check_event_for_spam, modhook::all_must_pass, spam_verdict(const event&)),
    (on_create_room, modhook::first_exception, void(std::string& request, bool is_admin)),
    (on_new_event, modhook::run_all, void(const event&)),
    (is_user_expired, modhook::first_result, std::optional<bool>(const std::string&)),
    (check_username, modhook::all_must_pass, modhook::expected<bool, module_error>(const std::string&)),
    (on_bind, modhook::run_all, modhook::expected<void, module_error>(const std::string&)),
    (users_to_notify, union_all, std::set<std::string>(const std::string&)));
};

struct account {
  MODHOOK_CALLBACKS(account,
    (on_user_registration, modhook::run_all, void(const std::string&)));
};

struct nothing_here {
  MODHOOK_CALLBACKS(nothing_here);
};

using hooks = modhook::registry<rules, account>;

// Reference arguments on the slow path after a module returns an error.
struct error_counting {
  MODHOOK_CALLBACKS(error_counting, (bump, modhook::run_all, modhook::expected<void, module_error>(int& counter)));
};

// An exception that counts its live copies: how long a module's exception is kept.
struct counted_exception {
  static inline int alive = 0;
  counted_exception() noexcept { ++alive; }
  counted_exception(const counted_exception&) noexcept { ++alive; }
  ~counted_exception() { --alive; }
};

} // namespace test

#endif
