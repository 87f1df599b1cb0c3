#!/usr/bin/env bash
# The whole test suite, with both supported compilers (see "What is tested" in the README),
# then the main command.
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
# The main command too: its optimized build can warn where the debug builds above do not.
echo "== the main command (optimized build of the examples, run)"
"$root/scripts/main.sh" > "$root/build/main.log" 2>&1 || { cat "$root/build/main.log"; exit 1; }
echo "ok (output in build/main.log)"
