// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_RESULTS_HPP
#define MODHOOK_RESULTS_HPP

// What a dispatch returns, one type per family of policies. Each keeps rejection and
// failure apart and names the module that decided.

#include <modhook/failure.hpp>
#include <modhook/detail/config.hpp>

#include <cassert>
#include <cstddef>
#include <optional>
#include <utility>

MODHOOK_BEGIN_NAMESPACE
namespace detail {

// What only a policy's combiner does to a result: the results' setters are private, and the
// built-in combiners (policy.hpp) reach them through this.
struct result_access {
  template <class Result, class... A>
  MODHOOK_ALWAYS_INLINE static constexpr void reject(Result& result, A&&... a) {
    result.reject(static_cast<A&&>(a)...);
  }
  template <class Result, class... A>
  MODHOOK_ALWAYS_INLINE static constexpr void settle(Result& result, A&&... a) {
    result.settle(static_cast<A&&>(a)...);
  }
  template <class Result, class... A>
  MODHOOK_ALWAYS_INLINE static constexpr void found(Result& result, A&&... a) {
    result.found(static_cast<A&&>(a)...);
  }
  template <class Result, class... A>
  static constexpr void fail(Result& result, A&&... a) {
    result.fail(static_cast<A&&>(a)...);
  }
  template <class Result, class... A>
  static constexpr void record_failure(Result& result, A&&... a) {
    result.record_failure(static_cast<A&&>(a)...);
  }
  template <class Log>
  static constexpr void merge_failures(Log& result, Log&& other, bool other_first) {
    result.merge_failures(std::move(other), other_first);
  }
};

// Every result counts the failures the dispatch saw and keeps the first one.
template <class E>
class failure_log {
public:
  // User-provided and not constexpr, like the results' constructors: a defaulted one makes
  // `return {}` zero-fill the whole object (value-initialization), and g++ 12 zero-fills
  // for a constexpr one too; either is a measurable cost per dispatch.
  failure_log() noexcept {}

  /// How many modules failed during this dispatch (each was also given to the registry's
  /// failure handler).
  constexpr std::size_t failure_count() const noexcept { return count_; }
  /// The first failure, if any module failed.
  constexpr const std::optional<failure<E>>& first_failure() const noexcept { return first_; }

protected:
  friend struct result_access;
  constexpr void record_failure(failure<E>&& f) {
    if (!first_) first_.emplace(std::move(f));
    ++count_;
  }
  // The failures of another part of the dispatch (a wrapper's), before or after these.
  constexpr void merge_failures(failure_log&& other, bool other_first) {
    if (other.first_ && (other_first || !first_)) first_ = std::move(other.first_);
    count_ += other.count_;
  }

private:
  std::optional<failure<E>> first_;
  std::size_t count_ = 0;
};

} // namespace detail

/// all_must_pass: passed (every module passed, or none is registered), rejected (a module
/// returned a value that does not pass; that value is the answer), or failed (fail-closed:
/// a module failed; the dispatch stopped there and the answer is not "pass").
// [[nodiscard]]: a verdict is asked for to be acted on, and dropping it lets through what it
// denied. (A completion is often dropped on purpose: a run_all notification has nothing to say.)
template <class T, class E>
class [[nodiscard]] verdict : public detail::failure_log<E> {
public:
  // Only `passed` has bit 0 set: settle() stores the value's test as the kind, and passed()
  // reads that bit, so a caller's passed() is the last call's own result, with no select or
  // compare for the compiler to see through (each cost an instruction or two per dispatch).
  enum class kind : unsigned char { rejected = 0, passed = 1, failed = 2 };

  verdict() noexcept {}
  /// A verdict of rejection, as if module `who` had returned `value`: what a wrapper returns
  /// to reject without running the rest (see modhook::rest).
  static verdict rejected_by(module_ref who, T value) {
    verdict result;
    result.reject(std::move(value), who);
    return result;
  }

  constexpr kind outcome() const noexcept { return kind_; }
  constexpr bool passed() const noexcept { return (static_cast<unsigned char>(kind_) & 1u) != 0; }
  constexpr bool rejected() const noexcept { return kind_ == kind::rejected; }
  constexpr bool failed() const noexcept { return kind_ == kind::failed; }
  constexpr explicit operator bool() const noexcept { return passed(); }

  /// The value that rejected; precondition: rejected().
  constexpr const T& rejection() const noexcept {
    assert(rejected());
    return *rejection_;
  }
  /// The failure that decided; precondition: failed().
  constexpr const failure<E>& deciding_failure() const noexcept {
    assert(failed());
    return *this->first_failure();
  }
  /// The module that rejected or failed; empty when passed.
  constexpr const std::optional<module_ref>& decided_by() const noexcept { return decided_by_; }

private:
  friend struct detail::result_access;
  MODHOOK_ALWAYS_INLINE constexpr void reject(T&& value, module_ref who) {
    kind_ = kind::rejected;
    rejection_.emplace(std::move(value));
    decided_by_ = who;
  }
  /// As reject(value, who()) when the value does not pass, else nothing. The outcome is the
  /// test itself, stored as data: a caller asking passed() gets the value's own test, as
  /// hand-written code returns the last call's result.
  template <class Who>
  MODHOOK_ALWAYS_INLINE constexpr void settle(T&& value, bool passes, const Who& who) {
    kind_ = static_cast<kind>(passes);
    if (!passes) {
      rejection_.emplace(std::move(value));
      decided_by_ = who();
    }
  }
  constexpr void fail(failure<E>&& f) {
    kind_ = kind::failed;
    decided_by_ = f.module;
    this->record_failure(std::move(f));
  }

  kind kind_ = kind::passed;
  std::optional<T> rejection_;
  std::optional<module_ref> decided_by_;
};

/// first_result: the first engaged answer and who gave it; empty when no module answered;
/// failed when a module failed before any answered (the dispatch stopped there).
template <class T, class E>
class [[nodiscard]] answer : public detail::failure_log<E> {
public:
  answer() noexcept {}
  /// An answer, as if module `who` had returned `value`: what a wrapper returns to answer
  /// without running the rest (see modhook::rest).
  static answer answered_by(module_ref who, T value) {
    answer result;
    result.found(std::move(value), who);
    return result;
  }
  constexpr bool has_value() const noexcept { return value_.has_value(); }
  constexpr explicit operator bool() const noexcept { return has_value(); }
  constexpr bool failed() const noexcept { return failed_; }

  /// The answer; precondition: has_value().
  constexpr const T& value() const noexcept {
    assert(has_value());
    return *value_;
  }
  constexpr const T& operator*() const noexcept { return value(); }
  constexpr const T* operator->() const noexcept { return &value(); }
  template <class U>
  constexpr T value_or(U&& fallback) const {
    return value_.value_or(static_cast<U&&>(fallback));
  }
  /// The module that answered or failed; empty when none did.
  constexpr const std::optional<module_ref>& decided_by() const noexcept { return decided_by_; }
  /// The failure that stopped the dispatch; precondition: failed().
  constexpr const failure<E>& deciding_failure() const noexcept {
    assert(failed());
    return *this->first_failure();
  }

private:
  friend struct detail::result_access;
  MODHOOK_ALWAYS_INLINE constexpr void found(T&& value, module_ref who) {
    value_.emplace(std::move(value));
    decided_by_ = who;
  }
  constexpr void fail(failure<E>&& f) {
    failed_ = true;
    decided_by_ = f.module;
    this->record_failure(std::move(f));
  }

  std::optional<T> value_;
  std::optional<module_ref> decided_by_;
  bool failed_ = false;
};

/// run_all and first_exception: whether every call completed. run_all calls every module
/// and counts all failures; first_exception stops at the first, which is then
/// first_failure(), with the original exception kept to rethrow.
template <class E>
class completion : public detail::failure_log<E> {
public:
  completion() noexcept {}
  constexpr bool ok() const noexcept { return this->failure_count() == 0; }
  constexpr explicit operator bool() const noexcept { return ok(); }
  constexpr bool failed() const noexcept { return !ok(); }
  /// The module that failed first; empty when all completed.
  constexpr std::optional<module_ref> decided_by() const noexcept {
    if (ok()) return std::nullopt;
    return this->first_failure()->module;
  }
};

MODHOOK_END_NAMESPACE

#endif
