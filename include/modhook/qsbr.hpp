// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_QSBR_HPP
#define MODHOOK_QSBR_HPP

#include <modhook/detail/qsbr.hpp>

MODHOOK_BEGIN_NAMESPACE

/// The threads that dispatch a modhook::qsbr_registry (live_registry.hpp), and what they
/// announce.
namespace qsbr {

/// Registers the calling thread as one that dispatches qsbr registries, online, for the
/// object's life (construct it on that thread, first thing). A thread registered already stays
/// so until its first reader_thread ends.
class reader_thread {
public:
  reader_thread() : owns_(!detail::qsbr::this_thread.registered) {
    if (owns_) detail::qsbr::enroll();
  }
  reader_thread(const reader_thread&) = delete;
  reader_thread& operator=(const reader_thread&) = delete;
  ~reader_thread() {
    if (owns_) detail::qsbr::leave();
  }

private:
  bool owns_;
};

/// Announces that no dispatch of a qsbr registry runs on the calling thread now (none it began
/// is running or holds a module set): between two requests, say. What the thread read before
/// may be freed from now on. A registered thread that never announces holds back the
/// destruction of every replaced module. (Not registered: nothing to announce.)
inline void quiescent() noexcept {
  if (detail::qsbr::this_thread.registered) detail::qsbr::announce();
}

/// The calling thread is offline for the object's life: it dispatches no qsbr registry, and
/// holds nothing back (for a registered thread about to block or wait for long).
class offline_scope {
public:
  offline_scope() noexcept : was_online_(detail::qsbr::online()) {
    if (was_online_) detail::qsbr::go_offline();
  }
  offline_scope(const offline_scope&) = delete;
  offline_scope& operator=(const offline_scope&) = delete;
  ~offline_scope() {
    if (was_online_) detail::qsbr::announce();
  }

private:
  bool was_online_;
};

/// Whether the calling thread may dispatch a qsbr registry now: registered and online.
inline bool online() noexcept { return detail::qsbr::online(); }

} // namespace qsbr
MODHOOK_END_NAMESPACE

#endif
