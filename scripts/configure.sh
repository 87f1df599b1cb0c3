#!/usr/bin/env bash
# scripts/configure.sh <gcc|clang> <build-dir> [cmake args...]: configures a build tree with
# one of the two supported toolchains (g++ 12 -std=c++23, or clang++ 16 with libc++ 16).
set -euo pipefail
compiler=$1 build=$2
shift 2
case "$compiler" in
  gcc) toolchain=(-DCMAKE_CXX_COMPILER=g++-12) ;;
  clang) toolchain=(-DCMAKE_CXX_COMPILER=clang++-16 "-DCMAKE_CXX_FLAGS=-stdlib=libc++"
                    "-DCMAKE_EXE_LINKER_FLAGS=-stdlib=libc++") ;;
  *) echo "scripts/configure.sh: compiler must be gcc or clang, not '$compiler'" >&2; exit 2 ;;
esac
cmake -S "$(dirname "$0")/.." -B "$build" -G Ninja "${toolchain[@]}" "$@" >/dev/null
