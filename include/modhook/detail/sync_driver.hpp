// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_DETAIL_SYNC_DRIVER_HPP
#define MODHOOK_DETAIL_SYNC_DRIVER_HPP

// The synchronous dispatch driver, for both registries: a loop of "call one implementation,
// classify its outcome (fast_step, feed), feed the policy" over a sequence of implementations
// the registry gives. What differs between the registries is only the sequence: a run-time
// array of delegates (registry.hpp), or a compile-time list of constant targets, unrolled
// (static_registry.hpp). The fast path, the stop, keep and resume paths exist here once.
//
// A sequence `Seq` provides:
//   seq.each(f)           calls f(at) for each implementation in order, inlined, until f
//                         returns false; returns whether none did
//   seq.each_from(p, f)   the same, from the position a cold handle's next() gives
//   seq.call(at, args...) calls the implementation at `at`
//   seq.who(at)           names the module at `at` for an inline decision (Seq::who_type)
//   seq.source(at)        its module_source, for a combiner
//   seq.sink()            where failures go
//   seq.cold(at)          a small value naming `at`, handed to the cold path (Seq::cold_type);
//                         it gives back implementations() (the sequence), source() and next()
//   seq.begin()           where the general loop starts
//   Seq::mark_type, seq.mark(at), seq.thrown(mark)
//                         what the hot path keeps of the module that threw, and what is made
//                         from it where the dispatch returns (its resolve() is the cold handle)
//   Seq::last_known       whether positions say which is the last implementation
//   Seq::may_follow_a_throw  whether an implementation can follow one that threw
// and may provide (a run-time registry's store, which may hold wrappers: detail/wrap.hpp)
//   Seq::redirectable     true: each() needs a range it can walk, one not empty, and
//   seq.walkable()        whether it is; if not, seq.redirected(): the dispatch is another's
//                         (a store's wrappers'), and the fast path takes the path of a throw,
//                         at seq.begin(), whose cold handle says redirected() and has
//                         run_redirected<Slot>(args...), that dispatch
//   seq.run_redirected<Slot, Args...>(watch, args...)   the same, for the general loop
// (out of line, the arguments as cold_argument gives them).
// and a position `at` may declare (position_info below) its kept_exception slot (`where`),
// whether an implementation follows it (`followed`), and whether it is the last (`last`).

#include <modhook/detail/config.hpp>
#include <modhook/detail/cold_argument.hpp>
#include <modhook/detail/decision.hpp>
#include <modhook/detail/dispatch_result.hpp>
#include <modhook/detail/fast_step.hpp>
#include <modhook/detail/kept_exception.hpp>
#include <modhook/detail/observe.hpp>
#include <modhook/detail/outcome.hpp>
#include <modhook/detail/raw_storage.hpp>
#include <modhook/detail/signature.hpp>

#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

MODHOOK_BEGIN_NAMESPACE
namespace detail {

// What a position says of itself at compile time; a run-time position (a pointer) says nothing.
template <class At>
struct position_info {
  static constexpr std::size_t where = 0;
  static constexpr bool followed = true;
  static constexpr bool last = false;
};
template <class At>
  requires requires { At::where; }
struct position_info<At> {
  static constexpr std::size_t where = At::where;
  static constexpr bool followed = At::followed;
  static constexpr bool last = At::last;
};

template <class Seq>
inline constexpr bool redirectable = false;
template <class Seq>
  requires Seq::redirectable
inline constexpr bool redirectable<Seq> = true;

// Every implementation from `from` on, fed to the combiner (feed); stops where the policy
// says. The general loop: for policies without a fast path, and for the rest of a dispatch
// after the fast path stopped.
// With a watch (detail/observe.hpp), each call is told to the registry's observer.
template <class Slot, class Seq, class From, class Combiner, class Prepared, std::size_t... I, class Watch = no_watch>
MODHOOK_ALWAYS_INLINE void feed_each(const Seq& seq, From from, Combiner& combiner, Prepared& prepared,
                                     std::index_sequence<I...>, Watch watch = {}) {
  seq.each_from(from, [&](auto at) MODHOOK_INLINE_LAMBDA {
    auto passed = signature<typename Slot::signature>::module_arguments(std::get<I>(prepared)...);
    return detail::feed<Slot>(
        combiner, [&]() MODHOOK_INLINE_LAMBDA -> decltype(auto) { return seq.call(at, detail::pass<I>(passed)...); },
        seq.source(at), seq.sink(), watch.begin());
  });
}

// (Cold to cold: the arguments as they came, references kept references.)
template <class Slot, class Cold, class Tag, class... Rest>
MODHOOK_COLD dispatch_result_t<Slot> resume_rest(Cold cold, Tag tag, Rest&&... rest) {
  const auto seq = cold.implementations();
  auto feed_rest = [&](auto& combiner, auto& arguments) {
    // Fewer arguments than parameters: the caller passed none, as no implementation follows.
    constexpr std::size_t given = std::tuple_size_v<std::remove_cvref_t<decltype(arguments)>>;
    if constexpr (given == signature<typename Slot::signature>::arity)
      detail::feed_each<Slot>(seq, cold.next(), combiner, arguments, std::make_index_sequence<given>{});
  };
  return detail::resume<Slot>(cold.source(), seq.sink(), feed_rest, tag, static_cast<Rest&&>(rest)...);
}

// Cold: the rest of the dispatch, from the outcome that stopped the fast path, built into
// `slow`. A call with few arguments, small ones by value (see cold_argument), none when no
// implementation follows, so that the hot path passes them all in registers.
template <class Slot, class... Args, class Cold, class Tag, class Outcome>
MODHOOK_COLD void resume_after(returned<dispatch_result_t<Slot>>& slow, Cold cold, Tag tag, Outcome&& outcome,
                               Args... args) {
  ::new (static_cast<void*>(&slow.value)) dispatch_result_t<Slot>(
      detail::resume_rest<Slot>(cold, tag, static_cast<Outcome&&>(outcome), static_cast<Args&&>(args)...));
}

// Cold, from where the dispatch returns: the rest of a dispatch a module's throw stopped,
// built straight into the dispatch's result, so that the landing pad holds nothing across
// calls (the hot path then needs no more registers than the calls by hand).
template <class Slot, class... Args, class Thrown>
MODHOOK_COLD dispatch_result_t<Slot> resume_thrown(Thrown thrown, Args... args) {
  if constexpr (requires { thrown.redirected(); })
    if (thrown.redirected()) // (no throw: a redirected range, see redirectable)
      return thrown.template run_redirected<Slot, Args...>(static_cast<Args&&>(args)...);
  return detail::resume_rest<Slot>(thrown.resolve(), stopped_by_exception{}, kept_exception{},
                                   static_cast<Args&&>(args)...);
}

// Cold: the result the cold path built, moved out. Out of line, so that g++'s
// -Wmaybe-uninitialized, which cannot follow which flag says the cold path ran, never sees
// the read (it warned at -O2 for a callback with by-value std::string parameters).
template <class Result>
MODHOOK_COLD Result taken(returned<Result>& slow) {
  return slow.take();
}

// The dispatch. With a fast path, a hand-written loop (or unrolled calls) plus the policy's
// test; the combiner is only built, out of line, from the first outcome the policy does not
// ignore. A policy that decides on a value records it inline (decision), so that the result
// is built where the compiler can see through it; with a sequence that knows its last
// implementation, that one's step sends every value it sees to the decision, so that every
// value path meets at one decide() and the result is a function of the last call's value as
// it came, which the compiler returns (or tail-calls) as hand-written code does. Only for a
// value that travels in registers: a larger one would be moved twice on the path where all
// pass.
// An observed dispatch (a watch that observes) takes the general loop, which tells the
// observer of every call; an unobserved one is compiled as if observers did not exist.
template <class Slot, class Seq, class Prepared, std::size_t... I, class Watch = no_watch>
MODHOOK_ALWAYS_INLINE dispatch_result_t<Slot> run(const Seq& seq, Prepared& prepared,
                                                  std::index_sequence<I...> arguments, Watch watch = {}) {
  using signature = detail::signature<typename Slot::signature>;
  if constexpr (has_fast_path<Slot> && !Watch::observed) {
    using who = typename Seq::who_type;
    constexpr bool decides = decides_on_value<Slot, who>;
    constexpr bool last_decides = decides && Seq::last_known && pass_by_value<typename Slot::value_type>;
    decision<Slot, who> decided;
    returned<dispatch_result_t<Slot>> slow;
    bool threw = false;
    typename Seq::mark_type stopped{};
    const auto step = [&](auto at) MODHOOK_INLINE_LAMBDA {
      using info = position_info<decltype(at)>;
      auto passed = signature::module_arguments(std::get<I>(prepared)...); // before the module's try
      // (Named here: in the lambda below, g++ 12 takes decltype(passed) for a reference.)
      constexpr bool passed_is_trivial = std::is_trivially_destructible_v<decltype(passed)>;
      const auto call = [&]() MODHOOK_INLINE_LAMBDA -> decltype(auto) {
        return seq.call(at, detail::pass<I>(passed)...);
      };
      const auto stop = [&, at](auto tag, auto&&... outcome) MODHOOK_INLINE_LAMBDA {
        if constexpr (std::is_same_v<decltype(tag), stopped_by_exception> && passed_is_trivial) {
          threw = true; // resumed where the dispatch returns, straight into its result
          stopped = seq.mark(at);
        } else if constexpr (std::is_same_v<decltype(tag), stopped_by_exception>) {
          // The host's copies of the arguments (passed) are destroyed when this step ends,
          // and their destructors may dispatch (and keep an exception) themselves: the kept
          // exception is taken first, here, by resuming at once.
          detail::resume_after<Slot, cold_argument_t<signature, I, Prepared>...>(
              slow, seq.cold(at), tag, static_cast<decltype(outcome)&&>(outcome)...,
              detail::cold_argument<signature, I>(prepared)...);
        } else if constexpr (decides && std::is_same_v<decltype(tag), stopped_by_value>) {
          decided.set(static_cast<decltype(outcome)&&>(outcome)..., seq.who(at));
        } else if constexpr (info::followed) {
          detail::resume_after<Slot, cold_argument_t<signature, I, Prepared>...>(
              slow, seq.cold(at), tag, static_cast<decltype(outcome)&&>(outcome)...,
              detail::cold_argument<signature, I>(prepared)...);
        } else { // nothing runs after this module: the arguments need not be kept for the cold path
          detail::resume_after<Slot>(slow, seq.cold(at), tag, static_cast<decltype(outcome)&&>(outcome)...);
        }
      };
      return detail::fast_step<Slot, !(info::last && last_decides), info::where>(call, stop);
    };
    bool nothing_stopped;
    if constexpr (redirectable<Seq>) {
      // (This test takes the place of the loop's first, and a redirected range the path of a
      // throw, out of line: a path of its own made clang++ 16 keep the result of the path
      // where all pass in memory, 8 instructions more.)
      if (seq.walkable()) [[likely]] {
        nothing_stopped = seq.each(step);
      } else if (seq.redirected()) {
        threw = true;
        stopped = seq.mark(seq.begin());
        nothing_stopped = false;
      } else {
        nothing_stopped = true; // no implementation
      }
    } else {
      nothing_stopped = seq.each(step);
    }
    if (nothing_stopped) [[likely]]
      return detail::nothing_seen<Slot>(); // every value ignored, or no implementation
    if (threw) [[unlikely]] {
      if constexpr (Seq::may_follow_a_throw)
        return detail::resume_thrown<Slot, cold_argument_t<signature, I, Prepared>...>(
            seq.thrown(stopped), detail::cold_argument<signature, I>(prepared)...);
      else // no implementation follows the one that threw
        return detail::resume_thrown<Slot>(seq.thrown(stopped));
    }
    if constexpr (decides)
      if (decided) [[likely]]
        return decided.take();
    return detail::taken(slow);
  } else {
    if constexpr (redirectable<Seq>) {
      if (seq.redirected()) [[unlikely]]
        return seq.template run_redirected<Slot, cold_argument_t<signature, I, Prepared>...>(
            watch, detail::cold_argument<signature, I>(prepared)...);
    }
    combiner_t<Slot> combiner;
    detail::feed_each<Slot>(seq, seq.begin(), combiner, prepared, arguments, watch);
    return std::move(combiner).finish();
  }
}

} // namespace detail
MODHOOK_END_NAMESPACE

#endif
