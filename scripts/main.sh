#!/usr/bin/env bash
# The main job: build modhook's examples and run them.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
build="$root/build/main"
"$root/scripts/configure.sh" gcc "$build" -DCMAKE_BUILD_TYPE=Release -DMODHOOK_BUILD_TESTS=OFF -DMODHOOK_BUILD_EXAMPLES=ON
cmake --build "$build" -j2
for example in quick_start event_censorer static_modules; do
  echo "== examples/$example"
  "$build/examples/$example"
done
