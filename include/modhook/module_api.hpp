// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_MODULE_API_HPP
#define MODHOOK_MODULE_API_HPP

#include <modhook/category.hpp>
#include <modhook/expected.hpp>
#include <modhook/failure.hpp>
#include <modhook/placement.hpp>
#include <modhook/registration_error.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>

MODHOOK_BEGIN_NAMESPACE

/// What a module is handed when it is loaded: registers its callbacks under its name.
template <class Registry>
class module_api {
public:
  module_api(const module_api&) = delete;
  module_api& operator=(const module_api&) = delete;

  /// This module's position in load order and its name.
  module_ref module() const noexcept { return registry_->module(index_); }
  std::string_view name() const noexcept { return module().name; }

  /// Adds every callback set in `callbacks` to that callback's implementations, after those
  /// of the modules loaded before unless placements say otherwise (see place). Unset fields
  /// register nothing. Refused once the registry is sealed.
  template <class C>
  [[nodiscard]] expected<void, registration_error> register_callbacks(C&& callbacks) {
    return registry_->register_callbacks(index_, static_cast<C&&>(callbacks));
  }

  /// Adds `wrapper` around a callback's implementations (see modhook::rest): every dispatch of
  /// the callback calls it as `wrapper(rest, arguments...)`, and returns what it returns.
  /// Wrappers are ordered among themselves as implementations are, the first outermost.
  /// Refused once the registry is sealed; an empty callable (a null function pointer) adds
  /// nothing.
  template <auto Member, class W>
    requires callback_member<Member>
  [[nodiscard]] expected<void, registration_error> wrap(W&& wrapper) {
    return registry_->template add_wrapper<Member>(index_, static_cast<W&&>(wrapper));
  }

  /// This module's place among the others, for all its callbacks (see modhook::placement).
  /// The host's placements of the module, if any, take its place. Given while the module
  /// loads, a cycle refuses the module's load; given later, this call.
  [[nodiscard]] expected<void, registration_error> place(placement where) {
    return registry_->add_placement(std::string(name()), {}, false, static_cast<placement&&>(where));
  }
  /// This module's place for one callback: before its placement for all.
  template <auto Member>
    requires callback_member<Member>
  [[nodiscard]] expected<void, registration_error> place(placement where) {
    static_assert(Registry::template holds<category_of<Member>>,
                  "modhook: place<Member>: this registry does not hold the callback's category");
    return registry_->add_placement(std::string(name()), callback_name<Member>, false, static_cast<placement&&>(where));
  }

private:
  friend Registry;
  module_api(Registry& owner, std::size_t index) noexcept : registry_(&owner), index_(index) {}

  Registry* registry_;
  std::size_t index_;
};

MODHOOK_END_NAMESPACE

#endif
