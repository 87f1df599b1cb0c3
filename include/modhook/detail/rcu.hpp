// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_DETAIL_RCU_HPP
#define MODHOOK_DETAIL_RCU_HPP

// A userspace RCU for the live registry: readers mark their thread with the epoch they entered
// in (a thread-local store, no atomic read-modify-write, no fence); a writer that has
// published a new pointer bumps the epoch, makes every running thread execute a full barrier
// (membarrier(2), as liburcu's "memb" flavour), and waits until no thread is marked with an
// older epoch: from then on no reader can hold the old pointer.
//
// A nested read section keeps its thread's outer mark. Threads enroll themselves on their first
// read section (one branch, predicted not taken) and leave the list when they exit. Under
// ThreadSanitizer, which does not know membarrier, and where membarrier is missing, readers
// use sequentially consistent atomics instead.

#include <modhook/detail/config.hpp>
#include <modhook/detail/thread_list.hpp>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <thread>

#if defined(__linux__) && __has_include(<linux/membarrier.h>) && __has_include(<sys/syscall.h>)
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>
#define MODHOOK_DETAIL_MEMBARRIER 1
#else
#define MODHOOK_DETAIL_MEMBARRIER 0
#endif

#if defined(__SANITIZE_THREAD__)
#define MODHOOK_DETAIL_RCU_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define MODHOOK_DETAIL_RCU_TSAN 1
#endif
#endif
#if !defined(MODHOOK_DETAIL_RCU_TSAN)
#define MODHOOK_DETAIL_RCU_TSAN 0
#endif
// Readers pay for their own ordering: under ThreadSanitizer (sequentially consistent marks, which
// it can check) and where there is no membarrier (a fence after the mark).
#define MODHOOK_DETAIL_RCU_FENCED (MODHOOK_DETAIL_RCU_TSAN || !MODHOOK_DETAIL_MEMBARRIER)

MODHOOK_BEGIN_NAMESPACE
namespace detail::rcu {

#if MODHOOK_DETAIL_RCU_FENCED
inline constexpr std::memory_order reader_order = std::memory_order_seq_cst;
#else
inline constexpr std::memory_order reader_order = std::memory_order_relaxed;
#endif

// A thread's mark before it enrolls: the one value a read section tests for, with nesting.
inline constexpr std::uint64_t unenrolled = ~std::uint64_t{0};

// One per thread: the epoch its outermost read section entered in; 0 outside any.
struct reader {
  std::atomic<std::uint64_t> mark{unenrolled};
  reader* next = nullptr;
  reader* prev = nullptr;
};

// Constant-initialized and trivially destructible: reaching it costs a thread-pointer offset,
// with no initialization guard.
inline constinit thread_local reader this_thread{};

struct domain {
  std::atomic<std::uint64_t> epoch{1}; // never 0: 0 marks a thread outside any read section
  std::mutex readers_mutex;            // guards the list, and keeps its members alive while scanned
  thread_list<reader> readers;
};
inline constinit domain global_domain{};
inline domain& global() noexcept { return global_domain; }

// Unlinks the thread's reader when the thread exits (a thread_local with a destructor, touched
// only when a thread enrolls).
struct enrollment {
  enrollment() {
    domain& d = global();
    std::lock_guard<std::mutex> lock(d.readers_mutex);
    reader& r = this_thread;
    r.mark.store(0, std::memory_order_relaxed);
    d.readers.push(r);
  }
  enrollment(const enrollment&) = delete;
  enrollment& operator=(const enrollment&) = delete;
  ~enrollment() {
    domain& d = global();
    std::lock_guard<std::mutex> lock(d.readers_mutex);
    reader& r = this_thread;
    d.readers.erase(r);
    r.mark.store(unenrolled, std::memory_order_relaxed);
  }
};

#if MODHOOK_DETAIL_MEMBARRIER && !MODHOOK_DETAIL_RCU_FENCED
inline bool register_membarrier() noexcept {
  return syscall(__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0;
}
// A full barrier on every CPU running a thread of this process: the readers' relaxed marks
// and loads are ordered against the writer's as if the readers had fenced.
inline void heavy_barrier() noexcept {
  static const bool expedited = register_membarrier();
  if (!expedited || syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) != 0)
    syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0); // older kernels: slower, same guarantee
}
#elif MODHOOK_DETAIL_RCU_TSAN
inline void heavy_barrier() noexcept {} // (the epoch's sequentially consistent increment orders the writer)
#else
inline void heavy_barrier() noexcept { std::atomic_thread_fence(std::memory_order_seq_cst); }
#endif

// (Its destructor at the thread's exit is the point: it leaves the list.)
#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wexit-time-destructors"
#endif
MODHOOK_NOINLINE inline void enroll() { static thread_local enrollment e; }
#if defined(__clang__)
#pragma clang diagnostic pop
#endif

// A read section: what the writer published before it began stays alive until it ends. The
// common case (outermost, enrolled) is one test: the thread's mark is 0.
class read_guard {
public:
  MODHOOK_ALWAYS_INLINE read_guard() noexcept : outer_(this_thread.mark.load(std::memory_order_relaxed)) {
    if (outer_ != 0) [[unlikely]]
      outer_ = enter_nested_or_enroll(outer_);
    else
      enter();
    std::atomic_signal_fence(std::memory_order_seq_cst); // the pointer's load stays after the mark
  }
  MODHOOK_ALWAYS_INLINE ~read_guard() {
    std::atomic_signal_fence(std::memory_order_seq_cst);
    this_thread.mark.store(outer_, std::memory_order_release);
  }
  read_guard(const read_guard&) = delete;
  read_guard& operator=(const read_guard&) = delete;

  // Whether this thread is inside a read section (a writer there must not wait for itself).
  static bool active() noexcept {
    const std::uint64_t m = this_thread.mark.load(std::memory_order_relaxed);
    return m != 0 && m != unenrolled;
  }

private:
  MODHOOK_ALWAYS_INLINE static void enter() noexcept {
    this_thread.mark.store(global().epoch.load(std::memory_order_acquire), reader_order);
#if MODHOOK_DETAIL_RCU_FENCED && !MODHOOK_DETAIL_RCU_TSAN
    std::atomic_thread_fence(std::memory_order_seq_cst);
#endif
  }
  // Nested: the outer section's mark stays, and is what this one's end restores. Not yet
  // enrolled: enroll (the mark becomes 0), then enter; the end restores 0.
  MODHOOK_NOINLINE static std::uint64_t enter_nested_or_enroll(std::uint64_t outer) noexcept {
    if (outer != unenrolled) return outer;
    enroll(); // (std::bad_alloc from a thread_local's registration: terminate)
    enter();
    return 0;
  }
  std::uint64_t outer_;
};

// Waits until every read section that began before the call has ended. Must not be called
// inside a read section (see read_guard::active).
inline void synchronize() {
  domain& d = global();
  const std::uint64_t target = d.epoch.fetch_add(1, std::memory_order_seq_cst) + 1;
  heavy_barrier();
  std::unique_lock<std::mutex> lock(d.readers_mutex);
  for (;;) {
    bool waiting = false;
    for (const reader* r = d.readers.first; r; r = r->next) {
      const std::uint64_t m = r->mark.load(std::memory_order_acquire);
      if (m != 0 && m < target) waiting = true;
    }
    if (!waiting) break;
    lock.unlock();
    std::this_thread::yield();
    lock.lock();
  }
  // (A reader's mark goes back to 0 by a release store, read here by an acquire load: its
  // last loads of the old data come before whatever the writer frees next.)
}

} // namespace detail::rcu
MODHOOK_END_NAMESPACE

#endif
