// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_DETAIL_OWNED_HPP
#define MODHOOK_DETAIL_OWNED_HPP

// What a registry owns: a module's record, a module's instance, a library. A unique owner of
// its own, so that including modhook costs no <memory> (which brings <ostream> with g++ 12).

#include <modhook/detail/config.hpp>

#include <cstddef>
#include <utility>

MODHOOK_BEGIN_NAMESPACE
namespace detail {

// An object of a type the registry knows, deleted with it.
template <class T>
class owned {
public:
  constexpr owned() noexcept = default;
  explicit owned(T* object) noexcept : object_(object) {}
  owned(owned&& other) noexcept : object_(std::exchange(other.object_, nullptr)) {}
  owned& operator=(owned other) noexcept {
    std::swap(object_, other.object_);
    return *this;
  }
  ~owned() { delete object_; }

  T* operator->() const noexcept { return object_; }
  T& operator*() const noexcept { return *object_; }

private:
  T* object_ = nullptr;
};

// Anything, with the function that releases it: a module's instance (of a type only its
// loader knows), or a shared library's handle.
class owned_handle {
public:
  using release_function = void (*)(void*);

  constexpr owned_handle() noexcept = default;
  constexpr owned_handle(std::nullptr_t, std::nullptr_t = nullptr) noexcept {}
  owned_handle(void* handle, release_function release) noexcept : handle_(handle), release_(release) {}
  owned_handle(owned_handle&& other) noexcept
      : handle_(std::exchange(other.handle_, nullptr)), release_(std::exchange(other.release_, nullptr)) {}
  owned_handle& operator=(owned_handle other) noexcept {
    std::swap(handle_, other.handle_);
    std::swap(release_, other.release_);
    return *this;
  }
  ~owned_handle() { reset(); }

  void* get() const noexcept { return handle_; }
  explicit operator bool() const noexcept { return handle_ != nullptr; }
  void reset() noexcept {
    if (handle_ != nullptr) release_(std::exchange(handle_, nullptr));
  }

private:
  void* handle_ = nullptr;
  release_function release_ = nullptr;
};

} // namespace detail
MODHOOK_END_NAMESPACE

#endif
