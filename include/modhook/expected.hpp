#ifndef MODHOOK_EXPECTED_HPP
#define MODHOOK_EXPECTED_HPP

/// modhook::expected is std::expected where the standard library has it, else tl::expected.

#include <modhook/version.hpp>

#if __has_include(<expected>)
#include <expected>
#endif

#if defined(__cpp_lib_expected) && __cpp_lib_expected >= 202202L

MODHOOK_BEGIN_NAMESPACE
template <class T, class E>
using expected = std::expected<T, E>;
using std::unexpected;
MODHOOK_END_NAMESPACE

#elif __has_include(<tl/expected.hpp>)

#include <tl/expected.hpp>
MODHOOK_BEGIN_NAMESPACE
template <class T, class E>
using expected = tl::expected<T, E>;
using tl::unexpected;
MODHOOK_END_NAMESPACE

#else
#error "modhook: no expected type: use a standard library with std::expected (g++ 12 with -std=c++23, clang++ 16 with libc++ 16 and -std=c++2b) or make tl::expected available (find_package(tl-expected))"
#endif

#endif
