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

#include <modhook/registry.hpp>
#include <modhook/detail/fingerprint.hpp>

#include <dlfcn.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <mutex>
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
inline constexpr std::uint32_t layout = 1;
inline constexpr const char entry_point[] = "modhook_module_entry";

struct header {
  std::uint64_t magic;
  std::uint32_t layout;
  std::uint32_t size; // of the whole descriptor
  const char* modhook_version;
};

struct descriptor_v1 {
  header head;
  const char* abi;               // "fact: value" lines
  std::size_t category_count;    // the registry's categories, in order
  const char* const* categories; // one fingerprint each
  const char* parameters;        // the constructor's, before the api: "(const config&)"
  void* (*construct)(void* arguments, void* api);
  void (*destroy)(void* instance) noexcept;
};

} // namespace modhook::shared_abi

MODHOOK_BEGIN_NAMESPACE
namespace detail {

template <class Registry>
struct registry_texts;
template <class... Categories>
struct registry_texts<registry<Categories...>> {
  std::tuple<fingerprint::frozen_text<&fingerprint::of_category<Categories>>...> categories{
      fingerprint::frozen<&fingerprint::of_category<Categories>>()...};
  fingerprint::frozen_text<& fingerprint::abi_text> abi = fingerprint::frozen<&fingerprint::abi_text>();
  static constexpr std::size_t count = sizeof...(Categories);

  constexpr std::array<const char*, sizeof...(Categories)> pointers() const noexcept {
    return std::apply(
        [](const auto&... text) { return std::array<const char*, sizeof...(Categories)>{text.c_str()...}; },
        categories);
  }
};

template <class... Params>
struct parameter_text {
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

// The first line at which two fingerprints differ, as the two lines (empty past the end).
struct first_difference {
  std::string_view ours, theirs;
  static std::string_view line(std::string_view text, std::size_t at) {
    const std::size_t end = text.find('\n', at);
    return text.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
  }
  static first_difference of(std::string_view ours, std::string_view theirs) {
    std::size_t at = 0;
    while (at < ours.size() || at < theirs.size()) {
      const auto a = at < ours.size() ? line(ours, at) : std::string_view{};
      const auto b = at < theirs.size() ? line(theirs, at) : std::string_view{};
      if (a != b) return {a, b};
      at += a.size() + 1;
    }
    return {};
  }
};

// The host's side: opens, checks, then loads through the registry's one load path.
struct shared_loading {
  using kind = registration_error::kind;

  template <class... Params, class... Categories, class... Args>
  static expected<module_ref, registration_error> load(registry<Categories...>& hooks, std::string_view name,
                                                       const std::filesystem::path& path, Args&&... args) {
    using registry_type = registry<Categories...>;
    std::lock_guard lock(hooks.mutex_); // nothing loads in between: the checks stay true
    // What would refuse the module anyway is said before the library is opened.
    if (auto refused = hooks.refusal(name)) return unexpected(std::move(*refused));
    auto fail = [&](kind reason, std::string why) {
      return unexpected(registration_error{reason, std::string(name), {}, path.string() + ": " + std::move(why)});
    };

    std::error_code error;
    const auto status = std::filesystem::status(path, error);
    if (!std::filesystem::exists(status)) return fail(kind::library_not_found, "no such file");
    if (std::filesystem::is_directory(status)) return fail(kind::not_a_library, "is a directory, not a shared library");
    // dlopen searches the library path for a bare name; a path names one file.
    const std::string file = path.has_parent_path() ? path.string() : "./" + path.string();
    typename registry_type::instance_ptr library(::dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL),
                                                 [](void* handle) { ::dlclose(handle); });
    if (!library) return fail(kind::not_a_library, "cannot be loaded as a shared library: " + dl_error(file));
    using entry_type = const shared_abi::header* (*)() noexcept;
    void* entry = ::dlsym(library.get(), shared_abi::entry_point);
    if (!entry)
      return fail(kind::no_entry_point, std::string("exports no modhook module (no '") + shared_abi::entry_point +
                                            "'; MODHOOK_SHARED_MODULE exports one)");

    const shared_abi::header* head = reinterpret_cast<entry_type>(entry)();
    if (!head || head->magic != shared_abi::magic)
      return fail(kind::incompatible_descriptor, "its entry point returns no modhook descriptor");
    if (head->layout != shared_abi::layout || head->size < sizeof(shared_abi::descriptor_v1))
      return fail(kind::incompatible_descriptor, "its descriptor has layout " + std::to_string(head->layout) +
                                                     ", this host reads layout " + std::to_string(shared_abi::layout));
    const auto& descriptor = *reinterpret_cast<const shared_abi::descriptor_v1*>(head);
    if (std::string_view(head->modhook_version) != MODHOOK_DETAIL_VERSION_STRING)
      return fail(kind::incompatible_descriptor, std::string("built with modhook ") + head->modhook_version +
                                                     ", this host with modhook " MODHOOK_DETAIL_VERSION_STRING);

    static constexpr registry_texts<registry_type> host{};
    if (auto why = abi_difference(descriptor.abi, host.abi.c_str())) return fail(kind::incompatible_module, *why);
    static constexpr auto host_categories = host.pointers();
    if (auto why = category_difference(descriptor, host_categories)) return fail(kind::incompatible_module, *why);
    using parameters = std::conditional_t<sizeof...(Params) == 0, parameter_text<Args&&...>, parameter_text<Params...>>;
    static constexpr parameters host_parameters{};
    if (std::string_view(descriptor.parameters) != host_parameters.text.c_str())
      return fail(kind::incompatible_module, std::string("its constructor takes ") + descriptor.parameters +
                                                 " before the api, this host passes " + host_parameters.text.c_str());

    using tuple = std::conditional_t<sizeof...(Params) == 0, std::tuple<Args&&...>, std::tuple<Params...>>;
    static_assert(std::is_constructible_v<tuple, Args&&...>,
                  "modhook: load_shared<Params...>(registry, name, path, args...): the arguments must convert to "
                  "the parameters");
    tuple arguments(static_cast<Args&&>(args)...);
    struct context {
      const shared_abi::descriptor_v1* descriptor;
      tuple* arguments;
    } given{&descriptor, &arguments};
    auto construct = [](void* c, typename registry_type::api& api, typename registry_type::instance_ptr& instance) {
      const auto& [d, a] = *static_cast<context*>(c);
      instance = typename registry_type::instance_ptr(d->construct(a, &api), d->destroy);
    };
    return hooks.load_impl(name, construct, &given, std::move(library));
  }

private:
  static std::string dl_error(const std::string& file) {
    const char* text = ::dlerror();
    std::string_view why = text ? text : "unknown error";
    if (why.starts_with(file) && why.substr(file.size()).starts_with(": ")) why.remove_prefix(file.size() + 2);
    return std::string(why);
  }

  static std::optional<std::string> abi_difference(std::string_view theirs, std::string_view ours) {
    const auto d = first_difference::of(ours, theirs);
    if (d.ours.empty() && d.theirs.empty()) return std::nullopt;
    const auto fact = d.ours.substr(0, d.ours.find(':'));
    return "built for another ABI: " + std::string(fact) + " '" + value_of(d.theirs) + "' there, '" + value_of(d.ours) +
           "' in this host";
  }
  static std::string value_of(std::string_view line) {
    const auto colon = line.find(": ");
    return std::string(colon == std::string_view::npos ? line : line.substr(colon + 2));
  }

  template <std::size_t N>
  static std::optional<std::string> category_difference(const shared_abi::descriptor_v1& module,
                                                        const std::array<const char*, N>& host) {
    const auto name_of = [](std::string_view text) { return std::string(first_difference::line(text, 9)); };
    for (std::size_t i = 0; i < N || i < module.category_count; ++i) {
      if (i >= module.category_count)
        return "built without category '" + name_of(host[i]) + "' (it knows " + std::to_string(module.category_count) +
               " of the host's " + std::to_string(N) +
               " categories; a module is built against the host's registry as it is)";
      if (i >= N) return "built with category '" + name_of(module.categories[i]) + "', which this host does not hold";
      const std::string_view ours = host[i], theirs = module.categories[i];
      const auto d = first_difference::of(ours, theirs);
      if (d.ours.empty() && d.theirs.empty()) continue;
      if (name_of(ours) != name_of(theirs))
        return "built against category '" + name_of(theirs) + "' where this host holds '" + name_of(ours) +
               "' (category " + std::to_string(i + 1) + ")";
      const std::string category = "category '" + name_of(ours) + "'";
      if (d.theirs.empty())
        return "built against another " + category + ": it lacks callback '" + callback(d.ours) + "'";
      if (d.ours.empty())
        return "built against another " + category + ": it has callback '" + callback(d.theirs) +
               "', which this host lacks";
      if (callback(d.ours) != callback(d.theirs))
        return "built against another " + category + ": it has callback '" + callback(d.theirs) +
               "' where this host has '" + callback(d.ours) + "'";
      // "name: signature; policy P; layout L": the first part that differs.
      const auto part = [](std::string_view line, std::size_t index) {
        line = line.substr(line.find(": ") + 2);
        for (; index != 0; --index) line = line.substr(line.find("; ") + 2);
        return std::string(line.substr(0, line.find("; ")));
      };
      const char* const what[] = {"is", "has", "passes"};
      for (std::size_t p = 0; p < 3; ++p)
        if (part(d.ours, p) != part(d.theirs, p))
          return "built against another " + category + ": callback '" + callback(d.ours) + "' " + what[p] + " '" +
                 part(d.theirs, p) + "' there, '" + part(d.ours, p) + "' in this host";
      return "built against another " + category;
    }
    return std::nullopt;
  }
  static std::string callback(std::string_view line) { return std::string(line.substr(0, line.find(':'))); }
};

} // namespace detail

/// Loads the module a shared library exports (with MODHOOK_SHARED_MODULE) and constructs it
/// from (args..., api) as registry.load<M>(name, args...) would, with the same guarantees. The
/// constructor's parameters are the arguments' types (`const T&` for a const lvalue, `T&&`
/// for an rvalue) or, given explicitly, Params: load_shared<const config&>(hooks, ...).
/// Refused, with nothing already loaded lost, when the file is missing or not a library, has
/// no entry point, or was built with another modhook, for another ABI, against other
/// categories or with other constructor parameters. The library stays open until its module
/// is destroyed (modules are unloaded in reverse load order).
template <class... Params, class... Categories, class... Args>
[[nodiscard]] expected<module_ref, registration_error>
load_shared(registry<Categories...>& hooks, std::string_view name, const std::filesystem::path& path, Args&&... args) {
  return detail::shared_loading::load<Params...>(hooks, name, path, static_cast<Args&&>(args)...);
}

MODHOOK_END_NAMESPACE

/// Exports a module class from a shared library: REGISTRY (an alias of the host's registry
/// type), then the module class and its constructor's parameters before the api. One per
/// library. Everything it emits is constant data and one function returning its address.
#define MODHOOK_SHARED_MODULE(REGISTRY, ...)                                                                           \
  namespace {                                                                                                          \
  using modhook_shared_export = ::modhook::detail::shared_export<REGISTRY, __VA_ARGS__>;                               \
  constexpr ::modhook::detail::registry_texts<REGISTRY> modhook_shared_texts{};                                        \
  constexpr auto modhook_shared_categories = modhook_shared_texts.pointers();                                          \
  constexpr ::modhook::detail::shared_parameters_of<modhook_shared_export> modhook_shared_parameters{};                \
  constexpr ::modhook::shared_abi::descriptor_v1 modhook_shared_descriptor{                                            \
      {::modhook::shared_abi::magic, ::modhook::shared_abi::layout, sizeof(::modhook::shared_abi::descriptor_v1),      \
       MODHOOK_DETAIL_VERSION_STRING},                                                                                 \
      modhook_shared_texts.abi.c_str(),                                                                                \
      modhook_shared_texts.count,                                                                                      \
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
