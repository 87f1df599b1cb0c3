// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_DETAIL_WRAP_HPP
#define MODHOOK_DETAIL_WRAP_HPP

// The wrappers of one callback, and the driver that runs them around its implementations.
//
// A store with wrappers presents a redirected range of implementations (first == last + 1,
// which no loop walks), and the driver's test of its range, in place of the loop's own
// first test, finds them: a callback without wrappers runs the loop it ran before wrappers
// existed. The wrapped dispatch calls the outermost wrapper with a modhook::rest that calls the next, and
// the innermost one's rest is the ordinary dispatch over the implementations, through the
// same driver (`inner`).

#include <modhook/failure.hpp>
#include <modhook/module_source.hpp>
#include <modhook/results.hpp>
#include <modhook/wrapper.hpp>
#include <modhook/detail/config.hpp>
#include <modhook/detail/dispatch_result.hpp>
#include <modhook/detail/erased.hpp>
#include <modhook/detail/failure_sink.hpp>
#include <modhook/detail/module_table.hpp>
#include <modhook/detail/observe.hpp>
#include <modhook/detail/outcome.hpp>
#include <modhook/detail/signature.hpp>

#include <algorithm>
#include <cstddef>
#include <exception>
#include <numeric>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

MODHOOK_BEGIN_NAMESPACE
namespace detail {

// What a store (keyed on the signature alone) knows of its wrappers, whose type also depends
// on the policy's result: how many, and how to follow the modules' changes.
struct wrapper_list_base {
  wrapper_list_base() = default;
  wrapper_list_base(const wrapper_list_base&) = delete;
  wrapper_list_base& operator=(const wrapper_list_base&) = delete;
  virtual ~wrapper_list_base() = default;
  virtual std::size_t size() const noexcept = 0;
  virtual void remove_module(std::size_t index) noexcept = 0;
  virtual void reorder(const std::vector<std::size_t>& rank) = 0;
};

// The signature of a wrapper of a callback R(A...) whose dispatch returns Result.
template <class Result, class Sig>
struct wrapper_signature;
template <class Result, class R, class... A>
struct wrapper_signature<Result, R(A...)> {
  using type = Result(rest<Result>, A...);
};

// Whether a callback's dispatch looks for wrappers: a synchronous one (an asynchronous
// callback takes none yet, and its plain loop stays as it was).
template <class Slot>
inline constexpr bool may_be_wrapped = !signature<typename Slot::signature>::is_async;

// Whether F can wrap a callback R(A...) whose dispatch returns Result.
template <class F, class Result, class Sig>
inline constexpr bool wraps = false;
template <class F, class Result, class R, class... A>
inline constexpr bool wraps<F, Result, R(A...)> = std::is_invocable_r_v<Result, F&, rest<Result>, A&&...>;

// The checks of a wrapper, where the slot (which names the callback) is a template argument
// the compilers print. False after an error.
template <class Slot, class F>
constexpr bool check_wrapper() {
  constexpr bool is_async = !may_be_wrapped<Slot>;
  static_assert(!is_async, "modhook: wrap<&Category::callback>: wrappers of asynchronous callbacks are not "
                           "supported yet");
  constexpr bool fits = is_async || wraps<F, dispatch_result_t<Slot>, typename Slot::signature>;
  static_assert(fits, "modhook: wrap<&Category::callback>(wrapper): the wrapper must be callable as "
                      "wrapper(modhook::rest<R>, arguments...) and return R, where R is what a dispatch of the "
                      "callback returns (its policy's result) and the arguments are the callback's");
  return !is_async && fits;
}

// A callback's wrappers, outermost first: in the modules' order (load order, or placed), as
// its implementations. `targets` is what a dispatch reads; `owners` keeps the callables.
template <class Result, class Sig>
struct wrapper_list final : wrapper_list_base, module_table {
  using signature = typename wrapper_signature<Result, Sig>::type;

  explicit wrapper_list(callback_ref names) noexcept : module_table{&resolve, names} {}

  std::vector<delegate<signature>> targets;
  std::vector<module_ref> modules;
  std::vector<erased<signature>> owners;

  std::size_t size() const noexcept override { return modules.size(); }

  void append(module_ref who, erased<signature>&& wrapper) {
    targets.reserve(size() + 1);
    modules.reserve(size() + 1);
    owners.reserve(size() + 1);
    // All reserved: nothing below throws, so the vectors stay in step.
    owners.push_back(std::move(wrapper));
    modules.push_back(who);
    targets.push_back(owners.back().target());
  }

  // A wrapper another list owns (a live registry's module set borrows its modules').
  void borrow(module_ref who, const delegate<signature>& target) {
    targets.reserve(size() + 1);
    modules.reserve(size() + 1);
    modules.push_back(who);
    targets.push_back(target);
  }

  // (Of a list that owns its wrappers: a live registry's set, which borrows, is never edited.)
  void remove_module(std::size_t index) noexcept override {
    std::size_t kept = 0;
    for (std::size_t i = 0; i < size(); ++i) {
      if (modules[i].index == index) continue;
      if (kept != i) {
        modules[kept] = modules[i];
        targets[kept] = targets[i];
        owners[kept] = std::move(owners[i]);
      }
      ++kept;
    }
    modules.resize(kept);
    targets.resize(kept);
    owners.erase(owners.begin() + static_cast<std::ptrdiff_t>(kept), owners.end());
  }

  void reorder(const std::vector<std::size_t>& rank) override {
    std::vector<std::size_t> by(size());
    std::iota(by.begin(), by.end(), std::size_t{0});
    std::stable_sort(by.begin(), by.end(),
                     [&](std::size_t a, std::size_t b) { return rank[modules[a].index] < rank[modules[b].index]; });
    std::vector<module_ref> new_modules;
    std::vector<delegate<signature>> new_targets;
    std::vector<erased<signature>> new_owners;
    new_modules.reserve(size());
    new_targets.reserve(size());
    new_owners.reserve(size());
    for (const std::size_t i : by) {
      new_modules.push_back(modules[i]);
      new_targets.push_back(targets[i]);
      new_owners.push_back(std::move(owners[i]));
    }
    modules = std::move(new_modules);
    targets = std::move(new_targets);
    owners = std::move(new_owners);
  }

  static module_ref resolve(const module_table& table, const void* entry) noexcept {
    const auto& self = static_cast<const wrapper_list&>(table);
    return self.modules[static_cast<std::size_t>(static_cast<const delegate<signature>*>(entry) - self.targets.data())];
  }
};

// Runs the wrappers from the k-th, then `inner` (the implementations), with the arguments
// `prepared`. Each wrapper is called with what an implementation would be given. A wrapper
// that throws fails as its module, by the policy's rule: the dispatch's result when the
// policy stops there; else (fail open, run_all) the rest decides, as if the wrapper were
// absent: the result it gave the wrapper (kept, a copy), or, not run yet, run now; the
// wrapper's failure is logged in it. What rest() itself throws is the host's (an argument's
// copy, memory), never a module's: it goes through the wrapper to the host, as it would
// without wrappers.
template <class Slot, class List, class Inner, class Prepared, std::size_t... I, class Watch>
dispatch_result_t<Slot> run_wrapped(const List& wrappers, std::size_t k, const Inner& inner, Prepared& prepared,
                                    std::index_sequence<I...> arguments, failure_sink sink, Watch watch) {
  using result = dispatch_result_t<Slot>;
  using log = failure_log<typename Slot::error_type>;
  constexpr bool logs = std::is_base_of_v<log, result>;
  constexpr bool keeps = std::is_copy_constructible_v<result>;
  if (k == wrappers.size()) return inner();
  bool ran = false;
  [[maybe_unused]] bool rest_threw = false;
  std::optional<result> kept; // what the rest last gave the wrapper, for a failure after it
  const auto next = [&]() -> result {
    ran = true;
    MODHOOK_TRY {
      result r = detail::run_wrapped<Slot>(wrappers, k + 1, inner, prepared, arguments, sink, watch);
      if constexpr (keeps) kept.emplace(r);
      return r;
    }
    MODHOOK_CATCH_ALL {
      rest_threw = true;
      MODHOOK_RETHROW;
    }
  };
  const auto& at = wrappers.targets[k];
  const module_source who(wrappers, &at);
  auto observe = watch.begin();
  combiner_t<Slot> combiner;
  {
    [[maybe_unused]] auto passed = signature<typename Slot::signature>::module_arguments(std::get<I>(prepared)...);
    observe.started(who);
    MODHOOK_TRY {
      result r = at.invoke(at.data, rest<result>(next), detail::pass<I>(passed)...);
      observe.returned(ran); // passed when it went on to the rest, else decided
      return r;
    }
    MODHOOK_CATCH_ALL {
      if (rest_threw) MODHOOK_RETHROW; // the host's, through the wrapper
      if (!observe.failed(combiner, detail::module_threw<Slot>(std::current_exception(), who, sink)))
        return std::move(combiner).finish();
      if (ran && !(keeps && kept)) return std::move(combiner).finish(); // the rest's result went with the wrapper
    }
  }
  // Fail open: the rest decides; a result that logs failures logs the wrapper's too, in the
  // order they happened.
  const bool after = ran;
  result r = after ? std::move(*kept) : next();
  if constexpr (logs) {
    result failed = std::move(combiner).finish();
    result_access::merge_failures(static_cast<log&>(r), static_cast<log&&>(failed), !after);
  }
  return r;
}

} // namespace detail
MODHOOK_END_NAMESPACE

#endif
