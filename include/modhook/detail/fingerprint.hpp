// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_DETAIL_FINGERPRINT_HPP
#define MODHOOK_DETAIL_FINGERPRINT_HPP

// What a shared-library module and its host must agree on, as constant data computed at
// compile time: the ABI facts (modhook's version, the compiler, the standard library and its
// ABI flags, the expected type, exceptions, the pointer size) and, per category, every
// callback's name, signature, policy and the size and alignment of each type it passes. A
// host compares them field by field (shared_module.hpp), and writes text only to say what
// differs.

#include <modhook/detail/async_step.hpp>
#include <modhook/detail/config.hpp>
#include <modhook/detail/member_list.hpp>

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

// The data a library exports, outside modhook's versioned namespace: every modhook version
// reads it (shared_module.hpp's descriptor points to it), and a later layout gets a new name.
namespace modhook::shared_abi {

struct abi_fact {
  const char* name;
  const char* value;
};
struct type_layout {
  std::size_t size;
  std::size_t alignment; // {0, 0}: not an object type (void)
};
struct callback_print {
  const char* name;
  const char* signature; // as the category declares it, in the compiler's spelling
  const char* policy;
  std::size_t type_count; // the result, then each parameter
  const type_layout* types;
};
struct category_print {
  const char* name;
  std::size_t callback_count;
  const callback_print* callbacks;
};

} // namespace modhook::shared_abi

MODHOOK_BEGIN_NAMESPACE
namespace detail::fingerprint {

// The compiler's own spelling of a type: both g++ and clang++ end the function's name with
// "[with T = int]" or "[T = int]". The compiler is one of the ABI facts, so the spellings
// of two compilers are never compared.
template <class T>
constexpr const char* raw_name() noexcept {
  return __PRETTY_FUNCTION__;
}
template <class T>
constexpr std::string_view type_name() noexcept {
  const std::string_view raw = raw_name<T>();
  const std::size_t start = raw.find("T = ") + 4;
  return raw.substr(start, raw.size() - 1 - start);
}

// A constant text made into a null-terminated array, to live in a library as data.
template <std::size_t N>
struct text_array {
  std::array<char, N + 1> chars{};
  constexpr const char* c_str() const noexcept { return chars.data(); }
};
template <std::size_t N>
constexpr text_array<N> freeze(std::string_view text) {
  text_array<N> frozen;
  for (std::size_t i = 0; i < N; ++i) frozen.chars[i] = text[i];
  return frozen;
}

// The size and alignment of what a type passes, for a complete object type: a struct that
// gained a field keeps its name but not, usually, its size.
template <class T>
constexpr shared_abi::type_layout layout_of() noexcept {
  using object = std::remove_cvref_t<T>;
  if constexpr (std::is_object_v<object>)
    return {sizeof(object), alignof(object)};
  else
    return {0, 0};
}

// The signature as the category declares it: an asynchronous slot stores its own
// (async_step<Task, R>(A'...), async_step.hpp), which no user wrote.
template <class Sig>
struct declared_signature {
  using type = Sig;
};
template <class Task, class R, class... A>
struct declared_signature<async_step<Task, R>(A...)> {
  using type = Task(declared_parameter<A>...);
};

template <class Sig>
struct layouts;
template <class R, class... A>
struct layouts<R(A...)> {
  static constexpr std::array<shared_abi::type_layout, 1 + sizeof...(A)> make() noexcept {
    return {layout_of<R>(), layout_of<A>()...};
  }
};

// One callback's data; print() refers to it.
template <class Slot>
struct callback_data {
  using declared = typename declared_signature<typename Slot::signature>::type;
  static constexpr std::string_view signature_name = type_name<declared>();
  static constexpr std::string_view policy_name = type_name<typename Slot::policy>();

  text_array<Slot::callback_name.size()> name = freeze<Slot::callback_name.size()>(Slot::callback_name);
  text_array<signature_name.size()> signature = freeze<signature_name.size()>(signature_name);
  text_array<policy_name.size()> policy = freeze<policy_name.size()>(policy_name);
  decltype(layouts<declared>::make()) types = layouts<declared>::make();

  constexpr shared_abi::callback_print print() const noexcept {
    return {name.c_str(), signature.c_str(), policy.c_str(), types.size(), types.data()};
  }
};

template <class Category, class Members = decltype(Category::modhook_members())>
struct category_data;
template <class Category, auto... Members>
struct category_data<Category, member_list<0, Members...>> {
  static constexpr std::size_t count = sizeof...(Members);

  text_array<Category::modhook_category_name.size()> name =
      freeze<Category::modhook_category_name.size()>(Category::modhook_category_name);
  std::tuple<callback_data<typename member_pointer<decltype(Members)>::slot>...> callbacks{};

  constexpr std::array<shared_abi::callback_print, count> prints() const noexcept {
    return std::apply([](const auto&... c) { return std::array<shared_abi::callback_print, count>{c.print()...}; },
                      callbacks);
  }
};

// A registry's categories, in order. Its prints are made in two steps, each a constant of
// its own that refers to the one before: callback_prints() (one array per category), then
// category_prints(those arrays).
template <class... Categories>
struct registry_data {
  static constexpr std::size_t count = sizeof...(Categories);

  std::tuple<category_data<Categories>...> categories{};

  constexpr auto callback_prints() const noexcept {
    return std::apply([](const auto&... c) { return std::tuple{c.prints()...}; }, categories);
  }
  template <class Callbacks>
  constexpr std::array<shared_abi::category_print, count> category_prints(const Callbacks& callbacks) const noexcept {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      return std::array<shared_abi::category_print, count>{shared_abi::category_print{
          std::get<I>(categories).name.c_str(), std::get<I>(callbacks).size(), std::get<I>(callbacks).data()}...};
    }(std::index_sequence_for<Categories...>{});
  }
};

#define MODHOOK_DETAIL_STRINGIZE_I(x) #x
#define MODHOOK_DETAIL_STRINGIZE(x) MODHOOK_DETAIL_STRINGIZE_I(x)

// Literals, not variables: a library refers to its own copy (an inline variable would be a
// "unique" symbol under g++, which glibc never unloads).
#define MODHOOK_DETAIL_VERSION_STRING                                                                                  \
  MODHOOK_DETAIL_STRINGIZE(MODHOOK_VERSION_MAJOR)                                                                      \
  "." MODHOOK_DETAIL_STRINGIZE(MODHOOK_VERSION_MINOR) "." MODHOOK_DETAIL_STRINGIZE(MODHOOK_VERSION_PATCH)

#if defined(__clang__)
#define MODHOOK_DETAIL_ABI_COMPILER "clang " MODHOOK_DETAIL_STRINGIZE(__clang_major__)
#elif defined(__GNUC__)
#define MODHOOK_DETAIL_ABI_COMPILER "g++ " MODHOOK_DETAIL_STRINGIZE(__GNUC__)
#else
#define MODHOOK_DETAIL_ABI_COMPILER "unknown"
#endif

#if defined(_LIBCPP_VERSION)
#define MODHOOK_DETAIL_ABI_LIBRARY                                                                                     \
  "libc++ " MODHOOK_DETAIL_STRINGIZE(_LIBCPP_VERSION) ", ABI " MODHOOK_DETAIL_STRINGIZE(                               \
      _LIBCPP_ABI_VERSION) ", namespace " MODHOOK_DETAIL_STRINGIZE(_LIBCPP_ABI_NAMESPACE)
#elif defined(__GLIBCXX__)
#if _GLIBCXX_USE_CXX11_ABI
#define MODHOOK_DETAIL_ABI_LIBSTDCXX_ABI "C++11 ABI"
#else
#define MODHOOK_DETAIL_ABI_LIBSTDCXX_ABI "old ABI"
#endif
#if defined(_GLIBCXX_DEBUG)
#define MODHOOK_DETAIL_ABI_LIBSTDCXX_DEBUG ", debug mode"
#else
#define MODHOOK_DETAIL_ABI_LIBSTDCXX_DEBUG ""
#endif
#define MODHOOK_DETAIL_ABI_LIBRARY                                                                                     \
  "libstdc++ " MODHOOK_DETAIL_STRINGIZE(                                                                               \
      _GLIBCXX_RELEASE) ", " MODHOOK_DETAIL_ABI_LIBSTDCXX_ABI MODHOOK_DETAIL_ABI_LIBSTDCXX_DEBUG
#else
#define MODHOOK_DETAIL_ABI_LIBRARY "unknown"
#endif

// The ABI facts, in the order a refusal names the first that differs. The registry's type is
// one: a module_api of one kind of registry is not the other's.
constexpr std::array<shared_abi::abi_fact, 6> abi_facts(const char* registry_type) noexcept {
  return {{
      {"compiler", MODHOOK_DETAIL_ABI_COMPILER},
      {"standard library", MODHOOK_DETAIL_ABI_LIBRARY},
#if MODHOOK_EXPECTED_IS_STD
      {"expected", "std::expected"},
#else
      {"expected", "tl::expected"},
#endif
#if MODHOOK_HAS_EXCEPTIONS
      {"exceptions", "on"},
#else
      {"exceptions", "off"},
#endif
      {"pointer size", MODHOOK_DETAIL_STRINGIZE(__SIZEOF_POINTER__)},
      {"registry type", registry_type},
  }};
}

// The constructor's parameters, "(const config&)": a text of its own, compared whole.
template <class... Params>
constexpr std::string of_parameters() {
  std::string text = "(";
  std::size_t i = 0;
  ((text += (i++ == 0 ? "" : ", "), text += type_name<Params>()), ...);
  text += ')';
  return text;
}

// A text, made by Make, as an array: its size is known only once the text is made.
template <auto Make>
inline constexpr std::size_t size_of = Make().size();
template <auto Make>
using frozen_text = text_array<size_of<Make>>;
template <auto Make>
constexpr frozen_text<Make> frozen() {
  return freeze<size_of<Make>>(Make());
}

} // namespace detail::fingerprint
MODHOOK_END_NAMESPACE

#endif
