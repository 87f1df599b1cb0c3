// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_REGISTRATION_ERROR_HPP
#define MODHOOK_REGISTRATION_ERROR_HPP

#include <modhook/detail/config.hpp>

#include <exception>
#include <string>
#include <string_view>
#include <utility>

MODHOOK_BEGIN_NAMESPACE

/// Why loading a module or registering callbacks was refused. Nothing registered before
/// the refusal is lost, and a module that failed to load leaves no callback behind.
struct registration_error {
  enum class kind {
    sealed,                ///< start-up is over: the registry was sealed
    empty_module_name,     ///< a module needs a name for logs and errors
    duplicate_module_name, ///< another module already has this name
    module_threw,          ///< the module's constructor (or setup function) threw
    nested_load,           ///< a module tried to load another module while being loaded
    order_cycle,           ///< placements that contradict each other; `detail` names the cycle
    exclusive_callback,    ///< a callback only one module may implement; `detail` names it and the other module
    not_loaded,            ///< (live_registry) no module has this name
    not_loading,           ///< (live_registry) a module registers its callbacks while it loads
    // A shared-library module (<modhook/shared_module.hpp>); `detail` says more.
    library_not_found,       ///< no file at the path
    not_a_library,           ///< the file could not be loaded as a shared library
    no_entry_point,          ///< the library exports no modhook module
    incompatible_descriptor, ///< its descriptor has another layout or another modhook version
    incompatible_module,     ///< built for another ABI, other categories or other constructor parameters
  };

  registration_error(kind why, std::string module_name, std::exception_ptr thrown = {}, std::string details = {})
      : reason(why), module(std::move(module_name)), exception(std::move(thrown)), detail(std::move(details)) {}

  kind reason;
  std::string module;
  std::exception_ptr exception; ///< what the module threw, for module_threw
  std::string detail;           ///< for a shared-library module: the file and what was wrong

  /// The refusal of `module`'s implementation of an exclusive callback (modhook::exclusive),
  /// which the module `holder` implements already.
  static registration_error exclusive_taken(std::string module, std::string_view category, std::string_view callback,
                                            std::string_view holder) {
    std::string text = "the callback ";
    text.append(category).append(".").append(callback);
    text.append(" takes one implementation, and module \"").append(holder).append("\" has it");
    return {kind::exclusive_callback, std::move(module), {}, std::move(text)};
  }

  /// A sentence naming the module and the problem.
  std::string message() const {
    std::string text = "modhook: module \"" + module + "\": ";
    switch (reason) {
    case kind::sealed: return text + "the registry is sealed; modules register while the host starts up";
    case kind::empty_module_name: return "modhook: a module name must not be empty";
    case kind::duplicate_module_name: return text + "a module with this name is already loaded";
    case kind::not_loaded: return text + "no module with this name is loaded";
    case kind::not_loading:
      return text + "a live registry takes a module's callbacks while the module loads, not later";
    case kind::nested_load: return text + "modules are loaded by the host, one at a time: a module cannot load another";
    case kind::order_cycle:
    case kind::exclusive_callback:
    case kind::library_not_found:
    case kind::not_a_library:
    case kind::no_entry_point:
    case kind::incompatible_descriptor:
    case kind::incompatible_module: return text + detail;
    case kind::module_threw: break;
    }
    text += "failed to load";
#if MODHOOK_HAS_EXCEPTIONS
    try {
      if (exception) std::rethrow_exception(exception);
    } catch (const std::exception& e) {
      text += ": ";
      text += e.what();
    } catch (...) {}
#endif
    return text;
  }
};

MODHOOK_END_NAMESPACE

#endif
