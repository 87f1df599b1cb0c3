// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_DETAIL_THREAD_LIST_HPP
#define MODHOOK_DETAIL_THREAD_LIST_HPP

// The threads a reclamation scheme knows (rcu.hpp, qsbr.hpp): an intrusive list of their
// thread-local records, each with `next` and `prev`, guarded by the scheme's mutex.

#include <modhook/detail/config.hpp>

MODHOOK_BEGIN_NAMESPACE
namespace detail {

template <class Record>
struct thread_list {
  Record* first = nullptr;

  void push(Record& r) noexcept {
    r.prev = nullptr;
    r.next = first;
    if (first) first->prev = &r;
    first = &r;
  }
  void erase(Record& r) noexcept {
    if (r.prev)
      r.prev->next = r.next;
    else
      first = r.next;
    if (r.next) r.next->prev = r.prev;
    r.next = r.prev = nullptr;
  }
};

} // namespace detail
MODHOOK_END_NAMESPACE

#endif
