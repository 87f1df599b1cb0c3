// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_DETAIL_QSBR_HPP
#define MODHOOK_DETAIL_QSBR_HPP

// Quiescent-state-based reclamation (QSBR, as liburcu's "qsbr" flavour) for qsbr_registry:
// readers do nothing per read section. Instead each thread that reads is registered, and
// announces from time to time that it holds nothing (a quiescent state: between requests, say),
// or goes offline while it blocks. A writer that has published a new pointer starts a grace
// period (a counter's increment); the old data may be freed once every online thread has
// announced a quiescent state since. The writer never waits: it polls (see grace_over).

#include <modhook/detail/config.hpp>
#include <modhook/detail/rcu.hpp>
#include <modhook/detail/thread_list.hpp>

#include <atomic>
#include <cassert>
#include <cstdint>
#include <mutex>

MODHOOK_BEGIN_NAMESPACE
namespace detail::qsbr {

// One per registered thread: the grace period it last announced a quiescent state in; 0 while
// offline (or not registered).
struct reader {
  std::atomic<std::uint64_t> seen{0};
  bool registered = false;
  reader* next = nullptr;
  reader* prev = nullptr;
};
inline constinit thread_local reader this_thread{};

struct domain {
  std::atomic<std::uint64_t> period{1}; // never 0: 0 marks an offline thread
  std::mutex readers_mutex;             // guards the list, and keeps its members alive while scanned
  thread_list<reader> readers;
};
inline constinit domain global_domain{};

// A full fence. Under ThreadSanitizer, which does not model fences (g++ refuses them there),
// none: the sequentially consistent accesses below then order what the fences order.
MODHOOK_ALWAYS_INLINE void fence() noexcept {
#if !MODHOOK_DETAIL_RCU_TSAN
  std::atomic_thread_fence(std::memory_order_seq_cst);
#endif
}

// Quiescent: this thread holds nothing it read before. The fences order its earlier reads
// before the announcement, and its later reads after it (they see what was published before
// the period it read).
inline void announce() noexcept {
  reader& r = this_thread;
  fence();
  r.seen.store(global_domain.period.load(std::memory_order_seq_cst), std::memory_order_seq_cst);
  fence();
}
inline void go_offline() noexcept {
  fence();
  this_thread.seen.store(0, std::memory_order_seq_cst);
}

inline void enroll() {
  std::lock_guard<std::mutex> lock(global_domain.readers_mutex);
  reader& r = this_thread;
  r.registered = true;
  global_domain.readers.push(r);
  announce();
}
inline void leave() noexcept {
  go_offline();
  std::lock_guard<std::mutex> lock(global_domain.readers_mutex);
  reader& r = this_thread;
  global_domain.readers.erase(r);
  r.registered = false;
}

// Whether this thread may read: registered and online.
inline bool online() noexcept { return this_thread.seen.load(std::memory_order_relaxed) != 0; }

// A read section costs nothing: the thread is online, which is what protects it. (Checked in
// builds with assertions: a dispatch on a thread the writer does not know could outlive its set.)
struct read_guard {
  MODHOOK_ALWAYS_INLINE read_guard() noexcept {
    assert(online() && "modhook: a qsbr_registry is dispatched on a thread that is not a registered, online "
                       "modhook::qsbr::reader_thread");
  }
  read_guard(const read_guard&) = delete;
  read_guard& operator=(const read_guard&) = delete;
};

// A grace period begins: what was unpublished before may be freed when it is over.
inline std::uint64_t begin_grace() noexcept {
  fence(); // the new set's publication comes first
  return global_domain.period.fetch_add(1, std::memory_order_seq_cst) + 1;
}
// Whether every online thread has announced a quiescent state since `target` began.
inline bool grace_over(std::uint64_t target) {
  std::lock_guard<std::mutex> lock(global_domain.readers_mutex);
  for (const reader* r = global_domain.readers.first; r; r = r->next) {
    const std::uint64_t seen = r->seen.load(std::memory_order_seq_cst);
    if (seen != 0 && seen < target) return false;
  }
  return true;
}

} // namespace detail::qsbr
MODHOOK_END_NAMESPACE

#endif
