// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_DETAIL_FINGERPRINT_HPP
#define MODHOOK_DETAIL_FINGERPRINT_HPP

// What a shared-library module and its host must agree on, as text computed at compile time:
// the ABI facts (modhook's version, the compiler, the standard library and its ABI flags, the
// expected type, exceptions) and, per category, every callback's name, signature, policy and
// the sizes of the types it passes. Text rather than a hash, so that a refusal can say what
// differs.

#include <modhook/category.hpp>
#include <modhook/detail/async_step.hpp>
#include <modhook/detail/config.hpp>

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>

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

constexpr void append_number(std::string& to, std::size_t n) {
  char digits[24] = {};
  std::size_t count = 0;
  do {
    digits[count++] = static_cast<char>('0' + n % 10);
    n /= 10;
  } while (n != 0);
  while (count != 0) to += digits[--count];
}

// "size/alignment" of what a type passes, for a complete object type: a struct that gained a
// field keeps its name but not, usually, its size.
template <class T>
constexpr void append_layout(std::string& to) {
  using object = std::remove_cvref_t<T>;
  if constexpr (std::is_object_v<object>) {
    to += " [";
    append_number(to, sizeof(object));
    to += '/';
    append_number(to, alignof(object));
    to += ']';
  }
}

template <class Sig>
struct layouts;
template <class R, class... A>
struct layouts<R(A...)> {
  static constexpr void append(std::string& to) {
    to += "types of sizes: result";
    append_layout<R>(to);
    std::size_t i = 0;
    ((to += ", ", append_number(to, ++i), append_layout<A>(to)), ...);
  }
};

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

// One line per callback: "name: signature; policy P; types of sizes: result [16/8], 1 [96/8]".
template <class Slot>
constexpr void append_callback(std::string& to) {
  using declared = typename declared_signature<typename Slot::signature>::type;
  to += Slot::callback_name;
  to += ": ";
  to += type_name<declared>();
  to += "; policy ";
  to += type_name<typename Slot::policy>();
  to += "; ";
  layouts<declared>::append(to);
  to += '\n';
}

template <class Category, auto... Members>
constexpr std::string category_text(member_list<0, Members...>) {
  std::string text = "category ";
  text += Category::modhook_category_name;
  text += '\n';
  (append_callback<typename member_pointer<decltype(Members)>::slot>(text), ...);
  return text;
}

#define MODHOOK_DETAIL_STRINGIZE_I(x) #x
#define MODHOOK_DETAIL_STRINGIZE(x) MODHOOK_DETAIL_STRINGIZE_I(x)

// A literal, not a variable: a library refers to its own copy (an inline variable would be a
// "unique" symbol under g++, which glibc never unloads).
#define MODHOOK_DETAIL_VERSION_STRING                                                                                  \
  MODHOOK_DETAIL_STRINGIZE(MODHOOK_VERSION_MAJOR)                                                                      \
  "." MODHOOK_DETAIL_STRINGIZE(MODHOOK_VERSION_MINOR) "." MODHOOK_DETAIL_STRINGIZE(MODHOOK_VERSION_PATCH)

// One fact per line, "name: value": the first line that differs is the one a refusal names.
constexpr std::string abi_text() {
  std::string text;
#if defined(__clang__)
  text += "compiler: clang " MODHOOK_DETAIL_STRINGIZE(__clang_major__) "\n";
#elif defined(__GNUC__)
  text += "compiler: g++ " MODHOOK_DETAIL_STRINGIZE(__GNUC__) "\n";
#else
  text += "compiler: unknown\n";
#endif
#if defined(_LIBCPP_VERSION)
  text += "standard library: libc++ " MODHOOK_DETAIL_STRINGIZE(_LIBCPP_VERSION) ", ABI " MODHOOK_DETAIL_STRINGIZE(
      _LIBCPP_ABI_VERSION) ", namespace " MODHOOK_DETAIL_STRINGIZE(_LIBCPP_ABI_NAMESPACE) "\n";
#elif defined(__GLIBCXX__)
  text += "standard library: libstdc++ " MODHOOK_DETAIL_STRINGIZE(_GLIBCXX_RELEASE) ", ";
#if _GLIBCXX_USE_CXX11_ABI
  text += "C++11 ABI";
#else
  text += "old ABI";
#endif
#if defined(_GLIBCXX_DEBUG)
  text += ", debug mode";
#endif
  text += '\n';
#else
  text += "standard library: unknown\n";
#endif
#if MODHOOK_EXPECTED_IS_STD
  text += "expected: std::expected\n";
#else
  text += "expected: tl::expected\n";
#endif
#if MODHOOK_HAS_EXCEPTIONS
  text += "exceptions: on\n";
#else
  text += "exceptions: off\n";
#endif
  text += "pointer size: ";
  append_number(text, sizeof(void*));
  text += '\n';
  return text;
}

// A constexpr string made into a null-terminated array, to live in a library as data.
template <std::size_t N>
struct text_array {
  std::array<char, N + 1> chars{};
  constexpr const char* c_str() const noexcept { return chars.data(); }
};
template <std::size_t N>
constexpr text_array<N> freeze(const std::string& text) {
  text_array<N> frozen;
  for (std::size_t i = 0; i < N; ++i) frozen.chars[i] = text[i];
  return frozen;
}

template <class Category>
constexpr std::string of_category() {
  return category_text<Category>(Category::modhook_members());
}
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
