#!/usr/bin/env bash
# The whole test suite (see "What is tested" in the README):
#   scripts/test.sh [part...]
#   parts: gcc clang gcc-cxx20 clang-cxx20 asan-gcc asan-clang tsan-gcc tsan-clang main
# With no part, all of them, in that order. A failed build or test stops the run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"

parts=("$@")
[ ${#parts[@]} -eq 0 ] && parts=(gcc clang gcc-cxx20 clang-cxx20 asan-gcc asan-clang tsan-gcc tsan-clang main)

sanitize_address="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"
# Compile-fail cases test the compiler, and the equivalence tests count instructions of an
# optimized uninstrumented build: neither means anything under a sanitizer.
# Packaging tests build other projects with the build's flags: a sanitizer adds nothing there.
not_under_sanitizers="^compile |^static equivalence|^runtime equivalence|^packaging: a consumer"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS=halt_on_error=1

# Debug builds carry line tables only (-g1): enough for every failure's and sanitizer report's
# file:line, and a fifth less compile time than full debug information (measured on host.cpp).
debug=(-DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-g1)

flags_for() { # compiler, extra flags -> CMAKE_CXX_FLAGS (clang keeps libc++)
  if [ "$1" = clang ]; then echo "-stdlib=libc++ $2"; else echo "$2"; fi
}

for part in "${parts[@]}"; do
  started=$SECONDS
  build="$root/build/test-$part"
  case "$part" in
    gcc|clang)
      echo "== $part: configure and build"
      "$root/scripts/configure.sh" "$part" "$build" "${debug[@]}" -DMODHOOK_BUILD_TESTS=ON -DMODHOOK_BUILD_EXAMPLES=ON
      cmake --build "$build" -j2
      echo "== $part: test"
      ctest --test-dir "$build" -j2 --output-on-failure
      ;;
    gcc-cxx20|clang-cxx20)
      # C++20, where the standard library has no std::expected: modhook uses tl-expected
      # (Debian's libexpected-dev), which the build marks [[nodiscard]] as later releases are.
      compiler=${part%-cxx20}
      echo "== $part: configure and build at C++20 (tl::expected)"
      # The reference homeserver is left out: it is an application of the library, built and
      # tested in the other parts, and its Beast sources are the slowest to compile.
      "$root/scripts/configure.sh" "$compiler" "$build" "${debug[@]}" -DCMAKE_CXX_STANDARD=20 \
        -DMODHOOK_EXPECTED=tl -DMODHOOK_BUILD_TESTS=ON -DMODHOOK_BUILD_EXAMPLES=ON -DMODHOOK_BUILD_HOMESERVER=OFF
      cmake --build "$build" -j2
      echo "== $part: test"
      ctest --test-dir "$build" -j2 --output-on-failure
      ;;
    asan-gcc|asan-clang)
      compiler=${part#asan-}
      echo "== $part: the suite under AddressSanitizer and UndefinedBehaviorSanitizer"
      # The differential test's 100000 cases run in the plain parts; here, 5000 (each case
      # throws many exceptions, which the sanitizers make slow).
      # The reference homeserver runs under the sanitizers with g++, where its programs build
      # (yaml-cpp); with clang++ only its unit tests would, at several minutes of build.
      homeserver=ON
      [ "$compiler" = clang ] && homeserver=OFF
      "$root/scripts/configure.sh" "$compiler" "$build" "${debug[@]}" -DMODHOOK_BUILD_TESTS=ON \
        -DMODHOOK_BUILD_EXAMPLES=ON "-DCMAKE_CXX_FLAGS=$(flags_for "$compiler" "$sanitize_address")" \
        -DMODHOOK_DIFFERENTIAL_CASES=5000 -DMODHOOK_BUILD_HOMESERVER=$homeserver
      cmake --build "$build" -j2
      ctest --test-dir "$build" -j2 --output-on-failure -E "$not_under_sanitizers"
      ;;
    tsan-gcc|tsan-clang)
      compiler=${part#tsan-}
      echo "== $part: the concurrency tests under ThreadSanitizer"
      "$root/scripts/configure.sh" "$compiler" "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG" -DMODHOOK_BUILD_TESTS=ON \
        -DMODHOOK_BUILD_EXAMPLES=ON "-DCMAKE_CXX_FLAGS=$(flags_for "$compiler" -fsanitize=thread)"
      # The library's concurrency tests; and, where yaml-cpp links (g++), the homeserver's
      # HTTP layer on several threads and 32 clients at once through the whole homeserver.
      targets=(modhook_concurrency_test modhook_async_concurrency_test modhook_live_stress modhook_live_stress_qsbr
               modhook_observer_tests modhook_wrapper_tests)
      [ "$compiler" = gcc ] && targets+=(homeserver_http_tests homeserver homeserver_client censor_service)
      cmake --build "$build" -j2 --target "${targets[@]}"
      ctest --test-dir "$build" -j2 --output-on-failure --no-tests=error \
        -R "^concurrency:|observer: call_stats counts|wrappers: a live registry's wrapping module|^homeserver http:|^homeserver: many-clients|^homeserver: reload"
      ;;
    main)
      # The main command too: its optimized build can warn where the debug builds do not.
      echo "== main: the main command (optimized build of the examples, run)"
      "$root/scripts/main.sh" > "$root/build/main.log" 2>&1 || { cat "$root/build/main.log"; exit 1; }
      echo "ok (output in build/main.log)"
      ;;
    *)
      echo "scripts/test.sh: unknown part '$part' (gcc clang gcc-cxx20 clang-cxx20 asan-gcc asan-clang tsan-gcc tsan-clang main)" >&2
      exit 2
      ;;
  esac
  echo "== $part: passed in $((SECONDS - started)) s"
done
echo "== all passed: ${parts[*]} ($SECONDS s)"
