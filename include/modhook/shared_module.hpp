// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_SHARED_MODULE_HPP
#define MODHOOK_SHARED_MODULE_HPP

/// Modules in shared libraries (POSIX dlopen).
///
/// In the module's library, one line exports its class:
///
///   MODHOOK_SHARED_MODULE(hooks, audit_logger, const config&)
///
/// (the host's registry type, named by an alias; the module; the constructor's parameters
/// before the api). The host loads it by path:
///
///   auto loaded = modhook::load_shared(hooks, "audit_logger", "modules/audit_logger.so", cfg);
///
/// The library is checked before any of the module's code runs (its static initializers
/// aside, which dlopen runs): the descriptor's layout and modhook version, the ABI facts, the
/// fingerprint of every category of the registry, in order, and the constructor's parameters.

#include <modhook/fwd.hpp>
#include <modhook/registry.hpp>
#include <modhook/detail/fingerprint.hpp>

#include <dlfcn.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <tuple>
#include <type_traits>
#include <utility>

// What a library exports, outside modhook's versioned namespace: every modhook version reads
// the header, and a later layout gets a new name.
namespace modhook::shared_abi {

inline constexpr std::uint64_t magic = 0x31'6b6f6f68646f6d; // "modhook1", little-endian
inline constexpr std::uint32_t layout = 2;
inline constexpr const char entry_point[] = "modhook_module_entry";

struct header {
  std::uint64_t magic;
  std::uint32_t layout;
  std::uint32_t size; // of the whole descriptor
  const char* modhook_version;
};

// Layout 2 (layout 1 held the fingerprints as text).
struct descriptor_v2 {
  header head;
  std::size_t abi_count;
  const abi_fact* abi;
  std::size_t category_count;       // the registry's categories, in order
  const category_print* categories; // (detail/fingerprint.hpp)
  const char* parameters;           // the constructor's, before the api: "(const config&)"
  void* (*construct)(void* arguments, void* api);
  void (*destroy)(void* instance) noexcept;
};

} // namespace modhook::shared_abi

MODHOOK_BEGIN_NAMESPACE
namespace detail {

// A registry's fingerprint data (detail/fingerprint.hpp), and its type's name: an ABI fact.
// (Its categories: a registry's options, modhook::observed_by, are not categories.)
template <class Done, class... Rest>
struct categories_of {
  using type = Done;
};
template <class... Done, class First, class... Rest>
struct categories_of<fingerprint::registry_data<Done...>, First, Rest...>
    : categories_of<std::conditional_t<is_registry_option<First>, fingerprint::registry_data<Done...>,
                                       fingerprint::registry_data<Done..., First>>,
                    Rest...> {};
// The registry type's name: its kind, and the observer it tells, which is part of its type.
template <const char* (*Base)() noexcept, class Observer>
constexpr std::string kind_string() {
  std::string text = Base();
  if constexpr (!std::is_void_v<Observer>) {
    text += " observed by ";
    text += fingerprint::type_name<Observer>();
  }
  return text;
}
constexpr const char* plain_registry_name() noexcept { return "modhook::registry"; }

template <class Registry>
struct registry_data_of;
template <class... Categories>
struct registry_data_of<registry<Categories...>> {
  using type = typename categories_of<fingerprint::registry_data<>, Categories...>::type;
  static constexpr auto kind = &kind_string<&plain_registry_name, typename registry<Categories...>::observer_type>;
};
template <class Reclamation, class... Categories>
struct registry_data_of<basic_live_registry<Reclamation, Categories...>> {
  using type = typename categories_of<fingerprint::registry_data<>, Categories...>::type;
  static constexpr auto kind = &kind_string<&Reclamation::registry_name,
                                            typename basic_live_registry<Reclamation, Categories...>::observer_type>;
};

// The registry type's name as data: made an object where it is used (a constant of the
// module's library, or of the host's check), never a template's static member, which g++
// would give a unique symbol that keeps a library from ever being unloaded.
template <class Registry>
struct registry_kind {
  fingerprint::frozen_text<registry_data_of<Registry>::kind> text =
      fingerprint::frozen<registry_data_of<Registry>::kind>();
};

// The registry a target of load_shared loads into: a registry, a live registry, or a live
// registry's editor (a change under way).
template <class Target>
struct shared_target {};
template <class... Categories>
struct shared_target<registry<Categories...>> {
  using registry_type = registry<Categories...>;
  static constexpr bool live = false;
};
template <class Reclamation, class... Categories>
struct shared_target<basic_live_registry<Reclamation, Categories...>> {
  using registry_type = basic_live_registry<Reclamation, Categories...>;
  static constexpr bool live = true;
};
template <class Target>
  requires requires { typename Target::owner_type; }
struct shared_target<Target> {
  using registry_type = typename Target::owner_type;
  static constexpr bool live = true;
};

template <class... Params>
struct parameter_text {
  using tuple = std::tuple<Params...>;
  fingerprint::frozen_text<&fingerprint::of_parameters<Params...>> text =
      fingerprint::frozen<&fingerprint::of_parameters<Params...>>();
};

template <class Registry, class Module, class... Params>
struct shared_export;
template <class Export>
struct shared_parameters_of;
template <class Registry, class Module, class... Params>
struct shared_parameters_of<shared_export<Registry, Module, Params...>> : parameter_text<Params...> {};

// The module's side: what MODHOOK_SHARED_MODULE's descriptor points to.
template <class Registry, class Module, class... Params>
struct shared_export {
  static_assert(std::is_constructible_v<Module, Params&&..., typename Registry::api&>,
                "modhook: MODHOOK_SHARED_MODULE(registry, module, parameters...): the module must be constructible "
                "from (parameters..., registry::api&)");

  static void* construct(void* arguments, void* api) {
    auto& given = *static_cast<std::tuple<Params...>*>(arguments);
    auto& module_api = *static_cast<typename Registry::api*>(api);
#if MODHOOK_HAS_EXCEPTIONS
    // The host keeps what the constructor threw after closing the library: an exception of
    // the library's own type would then have its code (destructor, what()) unloaded. It
    // crosses as a std::runtime_error (the standard library's) with the same message.
    try {
      return make(given, module_api, std::index_sequence_for<Params...>{});
    } catch (const std::exception& e) {
      throw std::runtime_error(e.what());
    } catch (...) {
      throw std::runtime_error("an exception that is not a std::exception");
    }
#else
    return make(given, module_api, std::index_sequence_for<Params...>{});
#endif
  }
  static void destroy(void* instance) noexcept { delete static_cast<Module*>(instance); }

private:
  template <std::size_t... I>
  static Module* make(std::tuple<Params...>& given, typename Registry::api& module_api, std::index_sequence<I...>) {
    return new Module(static_cast<Params&&>(std::get<I>(given))..., module_api);
  }
};

// The host's side: a loader for registry::load_from, which calls open() under the registry's
// lock once the name is accepted (the checks then stay true: nothing loads in between), and
// construct() once open() accepted the library.
template <class Registry, class Parameters, class Arguments>
struct shared_library_loader {
  using kind = registration_error::kind;
  using instance_ptr = typename Registry::instance_ptr;

  std::string_view name;
  const std::filesystem::path& path;
  Arguments given; // the host's arguments, as references
  const shared_abi::descriptor_v2* descriptor = nullptr;

  expected<instance_ptr, registration_error> open() {
    auto fail = [&](kind reason, std::string why) {
      return unexpected(registration_error{reason, std::string(name), {}, path.string() + ": " + std::move(why)});
    };
    std::error_code error;
    const auto status = std::filesystem::status(path, error);
    if (!std::filesystem::exists(status)) return fail(kind::library_not_found, "no such file");
    if (std::filesystem::is_directory(status)) return fail(kind::not_a_library, "is a directory, not a shared library");
    // dlopen searches the library path for a bare name; a path names one file.
    const std::string file = path.has_parent_path() ? path.string() : "./" + path.string();
    instance_ptr library(::dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL), [](void* handle) { ::dlclose(handle); });
    if (!library) return fail(kind::not_a_library, "cannot be loaded as a shared library: " + dl_error(file));
    using entry_type = const shared_abi::header* (*)() noexcept;
    void* entry = ::dlsym(library.get(), shared_abi::entry_point);
    if (!entry)
      return fail(kind::no_entry_point, std::string("exports no modhook module (no '") + shared_abi::entry_point +
                                            "'; MODHOOK_SHARED_MODULE exports one)");

    const shared_abi::header* head = reinterpret_cast<entry_type>(entry)();
    if (!head || head->magic != shared_abi::magic)
      return fail(kind::incompatible_descriptor, "its entry point returns no modhook descriptor");
    if (head->layout != shared_abi::layout || head->size < sizeof(shared_abi::descriptor_v2))
      return fail(kind::incompatible_descriptor, "its descriptor has layout " + std::to_string(head->layout) +
                                                     ", this host reads layout " + std::to_string(shared_abi::layout));
    const auto& found = *reinterpret_cast<const shared_abi::descriptor_v2*>(head);
    if (std::string_view(head->modhook_version) != MODHOOK_DETAIL_VERSION_STRING)
      return fail(kind::incompatible_descriptor, std::string("built with modhook ") + head->modhook_version +
                                                     ", this host with modhook " MODHOOK_DETAIL_VERSION_STRING);

    static constexpr registry_kind<Registry> host_kind{};
    static constexpr auto host_abi = fingerprint::abi_facts(host_kind.text.c_str());
    if (auto why = abi_difference(found, host_abi)) return fail(kind::incompatible_module, *why);
    static constexpr typename registry_data_of<Registry>::type host{};
    static constexpr auto host_callbacks = host.callback_prints();
    static constexpr auto host_categories = host.category_prints(host_callbacks);
    if (auto why = category_difference(found, host_categories)) return fail(kind::incompatible_module, *why);
    static constexpr Parameters host_parameters{};
    if (std::string_view(found.parameters) != host_parameters.text.c_str())
      return fail(kind::incompatible_module, std::string("its constructor takes ") + found.parameters +
                                                 " before the api, this host passes " + host_parameters.text.c_str());
    descriptor = &found;
    return library;
  }

  template <class Api>
  instance_ptr construct(Api& api) {
    auto arguments = std::make_from_tuple<typename Parameters::tuple>(std::move(given));
    return instance_ptr(descriptor->construct(&arguments, &api), descriptor->destroy);
  }

private:
  static std::string dl_error(const std::string& file) {
    const char* text = ::dlerror();
    std::string_view why = text ? text : "unknown error";
    if (why.starts_with(file) && why.substr(file.size()).starts_with(": ")) why.remove_prefix(file.size() + 2);
    return std::string(why);
  }

  // The first ABI fact that differs, named.
  template <std::size_t N>
  static std::optional<std::string> abi_difference(const shared_abi::descriptor_v2& module,
                                                   const std::array<shared_abi::abi_fact, N>& host) {
    for (std::size_t i = 0; i < N || i < module.abi_count; ++i) {
      if (i >= N || i >= module.abi_count || std::string_view(module.abi[i].name) != host[i].name)
        return std::string("built for another ABI: it states ") + std::to_string(module.abi_count) +
               " facts, this host " + std::to_string(N);
      if (std::string_view(module.abi[i].value) != host[i].value)
        return std::string("built for another ABI: ") + host[i].name + " '" + module.abi[i].value + "' there, '" +
               host[i].value + "' in this host";
    }
    return std::nullopt;
  }

  // The first category, then the first callback, then the first part of it that differs.
  template <std::size_t N>
  static std::optional<std::string> category_difference(const shared_abi::descriptor_v2& module,
                                                        const std::array<shared_abi::category_print, N>& host) {
    for (std::size_t i = 0; i < N || i < module.category_count; ++i) {
      if (i >= module.category_count)
        return std::string("built without category '") + host[i].name + "' (it knows " +
               std::to_string(module.category_count) + " of the host's " + std::to_string(N) +
               " categories; a module is built against the host's registry as it is)";
      const shared_abi::category_print& theirs = module.categories[i];
      if (i >= N) return std::string("built with category '") + theirs.name + "', which this host does not hold";
      const shared_abi::category_print& ours = host[i];
      if (std::string_view(ours.name) != theirs.name)
        return std::string("built against category '") + theirs.name + "' where this host holds '" + ours.name +
               "' (category " + std::to_string(i + 1) + ")";
      if (auto why = callback_difference(ours, theirs))
        return "built against another category '" + std::string(ours.name) + "': " + *why;
    }
    return std::nullopt;
  }
  static std::optional<std::string> callback_difference(const shared_abi::category_print& ours,
                                                        const shared_abi::category_print& theirs) {
    for (std::size_t j = 0; j < ours.callback_count || j < theirs.callback_count; ++j) {
      if (j >= theirs.callback_count) return std::string("it lacks callback '") + ours.callbacks[j].name + "'";
      const shared_abi::callback_print& b = theirs.callbacks[j];
      if (j >= ours.callback_count) return std::string("it has callback '") + b.name + "', which this host lacks";
      const shared_abi::callback_print& a = ours.callbacks[j];
      const std::string name = a.name;
      if (name != b.name) return std::string("it has callback '") + b.name + "' where this host has '" + name + "'";
      if (std::string_view(a.signature) != b.signature)
        return "callback '" + name + "' is '" + b.signature + "' there, '" + a.signature + "' in this host";
      if (std::string_view(a.policy) != b.policy)
        return "callback '" + name + "' has 'policy " + b.policy + "' there, 'policy " + a.policy + "' in this host";
      if (types_text(a) != types_text(b))
        return "callback '" + name + "' passes '" + types_text(b) + "' there, '" + types_text(a) + "' in this host";
    }
    return std::nullopt;
  }
  // "types of sizes: result [16/8], 1 [96/8]": size/alignment, for the types that have them.
  static std::string types_text(const shared_abi::callback_print& callback) {
    std::string text = "types of sizes: ";
    for (std::size_t k = 0; k < callback.type_count; ++k) {
      text += k == 0 ? std::string("result") : ", " + std::to_string(k);
      const shared_abi::type_layout& t = callback.types[k];
      if (t.size != 0) text += " [" + std::to_string(t.size) + "/" + std::to_string(t.alignment) + "]";
    }
    return text;
  }
};

} // namespace detail

namespace detail {
template <class Registry, class... Params, class... Args>
auto shared_loader(std::string_view name, const std::filesystem::path& path, Args&&... args) {
  using parameters = std::conditional_t<sizeof...(Params) == 0, parameter_text<Args&&...>, parameter_text<Params...>>;
  static_assert(std::is_constructible_v<typename parameters::tuple, Args&&...>,
                "modhook: load_shared<Params...>(registry, name, path, args...): the arguments must convert to "
                "the parameters");
  return shared_library_loader<Registry, parameters, std::tuple<Args&&...>>{
      name, path, std::forward_as_tuple(static_cast<Args&&>(args)...)};
}
} // namespace detail

/// Loads the module a shared library exports (with MODHOOK_SHARED_MODULE) and constructs it
/// from (args..., api) as hooks.load<M>(name, args...) would, with the same guarantees. `hooks`
/// is a registry, a live_registry, or a live_registry's editor (one step of a change). The
/// constructor's parameters are the arguments' types (`const T&` for a const lvalue, `T&&`
/// for an rvalue) or, given explicitly, Params: load_shared<const config&>(hooks, ...).
/// Refused, with nothing already loaded lost, when the file is missing or not a library, has
/// no entry point, or was built with another modhook, for another ABI or registry type,
/// against other categories or with other constructor parameters. The library stays open
/// until its module is destroyed (modules are unloaded in reverse load order).
template <class... Params, class Target, class... Args>
  requires requires { typename detail::shared_target<Target>::registry_type; }
[[nodiscard]] expected<module_ref, registration_error> load_shared(Target& hooks, std::string_view name,
                                                                   const std::filesystem::path& path, Args&&... args) {
  using registry_type = typename detail::shared_target<Target>::registry_type;
  return hooks.load_from(name,
                         detail::shared_loader<registry_type, Params...>(name, path, static_cast<Args&&>(args)...));
}

/// Replaces the live module `name` by the one the library at `path` exports, in its place in
/// load order and with its state (enabled or not), as live_registry::editor::replace: the old
/// module is destroyed, and its library closed, once no dispatch can reach it.
template <class... Params, class Target, class... Args>
  requires(detail::shared_target<Target>::live)
[[nodiscard]] expected<module_ref, registration_error>
replace_shared(Target& hooks, std::string_view name, const std::filesystem::path& path, Args&&... args) {
  using registry_type = typename detail::shared_target<Target>::registry_type;
  return hooks.replace_from(name,
                            detail::shared_loader<registry_type, Params...>(name, path, static_cast<Args&&>(args)...));
}

MODHOOK_END_NAMESPACE

/// Exports a module class from a shared library: REGISTRY (an alias of the host's registry
/// type), then the module class and its constructor's parameters before the api. One per
/// library. Everything it emits is constant data and one function returning its address.
#define MODHOOK_SHARED_MODULE(REGISTRY, ...)                                                                           \
  namespace {                                                                                                          \
  using modhook_shared_export = ::modhook::detail::shared_export<REGISTRY, __VA_ARGS__>;                               \
  constexpr typename ::modhook::detail::registry_data_of<REGISTRY>::type modhook_shared_data{};                        \
  constexpr auto modhook_shared_callbacks = modhook_shared_data.callback_prints();                                     \
  constexpr auto modhook_shared_categories = modhook_shared_data.category_prints(modhook_shared_callbacks);            \
  constexpr ::modhook::detail::registry_kind<REGISTRY> modhook_shared_kind{};                                          \
  constexpr auto modhook_shared_abi = ::modhook::detail::fingerprint::abi_facts(modhook_shared_kind.text.c_str());     \
  constexpr ::modhook::detail::shared_parameters_of<modhook_shared_export> modhook_shared_parameters{};                \
  constexpr ::modhook::shared_abi::descriptor_v2 modhook_shared_descriptor{                                            \
      {::modhook::shared_abi::magic, ::modhook::shared_abi::layout, sizeof(::modhook::shared_abi::descriptor_v2),      \
       MODHOOK_DETAIL_VERSION_STRING},                                                                                 \
      modhook_shared_abi.size(),                                                                                       \
      modhook_shared_abi.data(),                                                                                       \
      modhook_shared_categories.size(),                                                                                \
      modhook_shared_categories.data(),                                                                                \
      modhook_shared_parameters.text.c_str(),                                                                          \
      &modhook_shared_export::construct,                                                                               \
      &modhook_shared_export::destroy};                                                                                \
  }                                                                                                                    \
  extern "C" __attribute__((visibility("default"))) const ::modhook::shared_abi::header*                               \
  modhook_module_entry() noexcept {                                                                                    \
    return &modhook_shared_descriptor.head;                                                                            \
  }                                                                                                                    \
  static_assert(true, "")

#endif
