#!/usr/bin/env bash
# The whole test suite, with both supported compilers: behaviour tests, compile-fail cases
# and their valid twins, the no-allocation test, standalone headers, the README check.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
for compiler in gcc clang; do
  build="$root/build/test-$compiler"
  echo "== $compiler: configure and build"
  "$root/scripts/configure.sh" "$compiler" "$build" -DCMAKE_BUILD_TYPE=Debug -DMODHOOK_BUILD_TESTS=ON -DMODHOOK_BUILD_EXAMPLES=ON
  cmake --build "$build" -j2
  echo "== $compiler: test"
  ctest --test-dir "$build" -j2 --output-on-failure
done
