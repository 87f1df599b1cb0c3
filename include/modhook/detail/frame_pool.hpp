// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_DETAIL_FRAME_POOL_HPP
#define MODHOOK_DETAIL_FRAME_POOL_HPP

#include <modhook/version.hpp>

#include <cstddef>
#include <new>

MODHOOK_BEGIN_NAMESPACE
namespace detail {

// Where modhook::task frames come from: per thread, a free list per size class, so that a
// dispatch repeated in steady state reuses the frames of the last one and allocates nothing.
// A frame freed on another thread than the one that made it joins that thread's lists (a
// task resumed by an executor's other thread). Each list keeps at most `kept` frames; larger
// frames, and frames beyond that, go back to the global allocator.
class frame_pool {
public:
  static constexpr std::size_t granule = 64;
  static constexpr std::size_t classes = 16; // frames up to 1 KiB are kept
  static constexpr std::size_t kept = 64;

  static void* allocate(std::size_t size) {
    const std::size_t c = class_of(size);
    if (c >= classes) return ::operator new(size);
    if (!gone()) {
      lists& mine = local();
      if (node* n = mine.head[c]) {
        mine.head[c] = n->next;
        --mine.count[c];
        return n;
      }
    }
    return ::operator new((c + 1) * granule); // a kept frame's size, whichever list takes it
  }

  static void deallocate(void* frame, std::size_t size) noexcept {
    const std::size_t c = class_of(size);
    if (c >= classes) return ::operator delete(frame, size);
    if (!gone()) {
      lists& mine = local();
      if (mine.count[c] < kept) {
        mine.head[c] = ::new (frame) node{mine.head[c]};
        ++mine.count[c];
        return;
      }
    }
    ::operator delete(frame, (c + 1) * granule);
  }

private:
  struct node {
    node* next;
  };
  struct lists {
    node* head[classes] = {};
    std::size_t count[classes] = {};
    ~lists() {
      for (std::size_t c = 0; c < classes; ++c)
        while (node* n = head[c]) {
          head[c] = n->next;
          ::operator delete(n, (c + 1) * granule);
        }
      gone() = true;
    }
  };
  // Set once this thread's lists are destroyed: a frame freed later (by another thread_local
  // object's destructor) goes to the global allocator. A bool needs no destructor of its own.
  static bool& gone() noexcept {
    thread_local bool destroyed = false;
    return destroyed;
  }
  static constexpr std::size_t class_of(std::size_t size) noexcept { return (size + granule - 1) / granule - 1; }
  static lists& local() noexcept {
    thread_local lists pool;
    return pool;
  }
};

} // namespace detail
MODHOOK_END_NAMESPACE

#endif
