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
  load_lock() noexcept {
    pthread_mutexattr_t attributes;
    pthread_mutexattr_init(&attributes);
    pthread_mutexattr_settype(&attributes, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&mutex_, &attributes);
    pthread_mutexattr_destroy(&attributes);
  }
  load_lock(const load_lock&) = delete;
  load_lock& operator=(const load_lock&) = delete;
  ~load_lock() { pthread_mutex_destroy(&mutex_); }
  void lock() noexcept { pthread_mutex_lock(&mutex_); }
  void unlock() noexcept { pthread_mutex_unlock(&mutex_); }

private:
  pthread_mutex_t mutex_;
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
  explicit load_guard(load_lock& lock) noexcept : lock_(lock) { lock_.lock(); }
  load_guard(const load_guard&) = delete;
  load_guard& operator=(const load_guard&) = delete;
  ~load_guard() { lock_.unlock(); }

private:
  load_lock& lock_;
};

} // namespace detail
MODHOOK_END_NAMESPACE

#endif
