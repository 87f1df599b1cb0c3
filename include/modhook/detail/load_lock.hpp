// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_DETAIL_LOAD_LOCK_HPP
#define MODHOOK_DETAIL_LOAD_LOCK_HPP

// What serializes a registry's loads and registrations (a recursive mutex: a load reaches
// the registration its module makes), and the flag that says start-up is over. Both without
// <mutex> and <atomic> where the platform offers lighter means (POSIX threads, the
// compiler's atomic builtins), so that including modhook stays cheap; the standard ones
// elsewhere.

#include <modhook/detail/config.hpp>

#if __has_include(<pthread.h>) && (defined(__GNUC__) || defined(__clang__))
#define MODHOOK_DETAIL_LIGHT_LOCKS 1
#include <pthread.h>

#include <cstdlib>
#else
#define MODHOOK_DETAIL_LIGHT_LOCKS 0
#include <atomic>
#include <mutex>
#endif

MODHOOK_BEGIN_NAMESPACE
namespace detail {

#if MODHOOK_DETAIL_LIGHT_LOCKS
class load_lock {
public:
#if defined(PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP)
  // glibc's static initializer: no pthread_mutexattr_* call, which glibc before 2.34 has only
  // in libpthread (a host that does not link it still links modhook).
  load_lock() noexcept = default;
#else
  load_lock() {
    pthread_mutexattr_t attributes;
    bool made = pthread_mutexattr_init(&attributes) == 0;
    made = made && pthread_mutexattr_settype(&attributes, PTHREAD_MUTEX_RECURSIVE) == 0;
    made = made && pthread_mutex_init(&mutex_, &attributes) == 0;
    pthread_mutexattr_destroy(&attributes);
    if (!made) std::abort(); // as std::recursive_mutex would throw where there are exceptions
  }
#endif
  load_lock(const load_lock&) = delete;
  load_lock& operator=(const load_lock&) = delete;
  ~load_lock() { pthread_mutex_destroy(&mutex_); }
  void lock() noexcept { pthread_mutex_lock(&mutex_); }
  void unlock() noexcept { pthread_mutex_unlock(&mutex_); }

private:
#if defined(PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP)
  // (glibc's initializer spells its null pointers 0.)
  _Pragma("GCC diagnostic push") _Pragma("GCC diagnostic ignored \"-Wzero-as-null-pointer-constant\"")
      pthread_mutex_t mutex_ = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
  _Pragma("GCC diagnostic pop")
#else
  pthread_mutex_t mutex_;
#endif
};

class sealed_flag {
public:
  bool load() const noexcept { return __atomic_load_n(&sealed_, __ATOMIC_ACQUIRE); }
  void set() noexcept { __atomic_store_n(&sealed_, true, __ATOMIC_RELEASE); }

private:
  bool sealed_ = false;
};
#else
class load_lock {
public:
  void lock() { mutex_.lock(); }
  void unlock() noexcept { mutex_.unlock(); }

private:
  std::recursive_mutex mutex_;
};

class sealed_flag {
public:
  bool load() const noexcept { return sealed_.load(std::memory_order_acquire); }
  void set() noexcept { sealed_.store(true, std::memory_order_release); }

private:
  std::atomic<bool> sealed_{false};
};
#endif

// Holds a load_lock for a scope.
class load_guard {
public:
  explicit load_guard(load_lock& lock) : lock_(lock) { lock_.lock(); }
  load_guard(const load_guard&) = delete;
  load_guard& operator=(const load_guard&) = delete;
  ~load_guard() { lock_.unlock(); }

private:
  load_lock& lock_;
};

} // namespace detail
MODHOOK_END_NAMESPACE

#endif
