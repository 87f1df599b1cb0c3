// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the modhook authors. See LICENSE.
#ifndef MODHOOK_DETAIL_CONFIG_HPP
#define MODHOOK_DETAIL_CONFIG_HPP

#include <modhook/version.hpp>

#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
#define MODHOOK_HAS_EXCEPTIONS 1
#else
#define MODHOOK_HAS_EXCEPTIONS 0
#endif

#if MODHOOK_HAS_EXCEPTIONS
#define MODHOOK_TRY try
#define MODHOOK_CATCH_ALL catch (...)
#define MODHOOK_RETHROW throw
#else
// Without exceptions nothing can be caught: the handler block is compiled out.
#define MODHOOK_TRY if (true)
#define MODHOOK_CATCH_ALL else
#define MODHOOK_RETHROW (void)0
#endif

// The dispatch loop's step is forced inline so the policy's test sits in the loop as a
// hand-written one would; failure handling is kept out of line so it does not crowd it.
#if defined(__GNUC__) || defined(__clang__)
#define MODHOOK_ALWAYS_INLINE [[gnu::always_inline]] inline
#define MODHOOK_INLINE_LAMBDA __attribute__((always_inline))
#define MODHOOK_COLD [[gnu::noinline, gnu::cold]]
#define MODHOOK_NOINLINE [[gnu::noinline]]
#else
#define MODHOOK_ALWAYS_INLINE inline
#define MODHOOK_INLINE_LAMBDA
#define MODHOOK_COLD
#define MODHOOK_NOINLINE
#endif

// Around a coroutine's definition: g++ 12 says "zero as null pointer constant" at the closing
// brace of every coroutine (code it generates itself), under -Wzero-as-null-pointer-constant.
#if defined(__GNUC__) && !defined(__clang__)
#define MODHOOK_COROUTINE_BEGIN                                                                                        \
  _Pragma("GCC diagnostic push") _Pragma("GCC diagnostic ignored \"-Wzero-as-null-pointer-constant\"")
#define MODHOOK_COROUTINE_END _Pragma("GCC diagnostic pop")
#else
#define MODHOOK_COROUTINE_BEGIN
#define MODHOOK_COROUTINE_END
#endif

#endif
