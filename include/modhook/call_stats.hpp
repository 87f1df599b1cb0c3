// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_CALL_STATS_HPP
#define MODHOOK_CALL_STATS_HPP

// An observer (modhook::observed_by) that counts each module's calls of each callback by
// outcome, and their latency in a histogram: what a host exports as metrics.

#include <modhook/failure.hpp>
#include <modhook/observer.hpp>
#include <modhook/detail/config.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

MODHOOK_BEGIN_NAMESPACE

/// Per module and callback: calls by outcome, and a latency histogram. Safe to tell from
/// many threads at once. A pair's first call allocates its counters (once); every later
/// call finds them under a shared lock and counts with relaxed atomic additions.
///
///   modhook::registry<modhook::observed_by<modhook::call_stats>, spam_checker> hooks;
///   for (const auto& row : hooks.observer().snapshot()) ...
class call_stats {
public:
  using clock = std::chrono::steady_clock;
  /// The histogram's upper bounds, in nanoseconds: 1 µs, then each 4 times the last, to
  /// about 1 s; a last bucket counts what is slower.
  static constexpr std::array<std::uint64_t, 11> bounds_ns{
      1'000, 4'000, 16'000, 64'000, 256'000, 1'024'000, 4'096'000, 16'384'000, 65'536'000, 262'144'000, 1'048'576'000};

  /// One module's calls of one callback, as counted when snapshot() read them.
  struct row {
    std::string module;
    std::string category;
    std::string callback;
    std::uint64_t passed = 0;  ///< calls whose value the policy went on from
    std::uint64_t decided = 0; ///< calls whose value decided the dispatch
    std::uint64_t failed = 0;  ///< calls that threw or returned an error value
    /// Calls by latency: latency[i] took at most bounds_ns[i] (and more than the bound
    /// before); the last counts the slower ones.
    std::array<std::uint64_t, bounds_ns.size() + 1> latency{};
    std::uint64_t total_ns = 0; ///< the calls' latencies added up
    std::uint64_t calls() const noexcept { return passed + decided + failed; }
  };

  /// The histogram bucket of a latency: the first whose bound it does not exceed.
  static constexpr std::size_t bucket_of(std::uint64_t ns) noexcept {
    std::size_t bucket = 0;
    while (bucket < bounds_ns.size() && ns > bounds_ns[bucket]) ++bucket;
    return bucket;
  }

  call_stats() = default;
  call_stats(const call_stats&) = delete;
  call_stats& operator=(const call_stats&) = delete;

  // The observer's events (see modhook::observed_by).
  clock::time_point on_call(const module_call&) noexcept { return clock::now(); }
  void on_return(const module_call& call, const clock::time_point& started, call_outcome outcome,
                 const failure<>*) noexcept {
    const auto elapsed = clock::now() - started;
    const auto ns =
        static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                       elapsed < clock::duration::zero() ? clock::duration::zero() : elapsed)
                                       .count());
    counters* c = find(call);
    if (c == nullptr) return; // (out of memory for a new pair: not counted)
    switch (outcome) {
    case call_outcome::passed: c->passed.fetch_add(1, std::memory_order_relaxed); break;
    case call_outcome::decided: c->decided.fetch_add(1, std::memory_order_relaxed); break;
    case call_outcome::failed: c->failed.fetch_add(1, std::memory_order_relaxed); break;
    }
    c->latency[bucket_of(ns)].fetch_add(1, std::memory_order_relaxed);
    c->total_ns.fetch_add(ns, std::memory_order_relaxed);
  }

  /// Every pair seen so far, ordered by module, category and callback. (A pair's counters are
  /// read one by one while others may count: each is exact, a row is not a single instant.)
  std::vector<row> snapshot() const {
    std::shared_lock lock(mutex_);
    std::vector<row> rows;
    rows.reserve(table_.size());
    for (const auto& [k, c] : table_) {
      row r{k.module, std::string(k.category), std::string(k.callback)};
      r.passed = c->passed.load(std::memory_order_relaxed);
      r.decided = c->decided.load(std::memory_order_relaxed);
      r.failed = c->failed.load(std::memory_order_relaxed);
      for (std::size_t i = 0; i < r.latency.size(); ++i) r.latency[i] = c->latency[i].load(std::memory_order_relaxed);
      r.total_ns = c->total_ns.load(std::memory_order_relaxed);
      rows.push_back(std::move(r));
    }
    return rows;
  }

private:
  struct counters {
    std::atomic<std::uint64_t> passed{0}, decided{0}, failed{0}, total_ns{0};
    std::array<std::atomic<std::uint64_t>, bounds_ns.size() + 1> latency{};
  };
  struct key_view {
    std::string_view module, category, callback;
  };
  struct key {
    std::string module;                  // (copied: a live registry's module may go while its counts stay)
    std::string_view category, callback; // (a category's names are the program's constants)
  };
  struct order {
    using is_transparent = void;
    template <class A, class B>
    bool operator()(const A& a, const B& b) const noexcept {
      return std::tie(a.module, a.category, a.callback) < std::tie(b.module, b.category, b.callback);
    }
  };

  counters* find(const module_call& call) noexcept {
    const key_view k{call.module.name, call.callback.category, call.callback.name};
    {
      std::shared_lock lock(mutex_);
      if (auto it = table_.find(k); it != table_.end()) return it->second.get();
    }
#if MODHOOK_HAS_EXCEPTIONS
    try {
#endif
      auto fresh = std::make_unique<counters>();
      key made{std::string(k.module), k.category, k.callback};
      std::unique_lock lock(mutex_);
      return table_.try_emplace(std::move(made), std::move(fresh)).first->second.get(); // (another thread's, if first)
#if MODHOOK_HAS_EXCEPTIONS
    } catch (...) {
      return nullptr;
    }
#endif
  }

  mutable std::shared_mutex mutex_;
  std::map<key, std::unique_ptr<counters>, order> table_;
};

MODHOOK_END_NAMESPACE

#endif
