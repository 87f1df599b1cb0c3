#!/usr/bin/env bash
# The main job: build modhook's examples and run them, the Synapse reference host among them.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
build="$root/build/main"
"$root/scripts/configure.sh" gcc "$build" -DCMAKE_BUILD_TYPE=Release -DMODHOOK_BUILD_TESTS=OFF -DMODHOOK_BUILD_EXAMPLES=ON
cmake --build "$build" -j2
for example in quick_start event_censorer static_modules async_censor async_static_modules; do
  echo "== examples/$example"
  "$build/examples/$example"
done
# The Synapse reference host on its shipped config and action script, then a load run.
data="$root/examples/homeserver/data"
echo "== examples/homeserver: $data/actions.txt"
"$build/examples/homeserver/homeserver" "$data/homeserver.yaml" "$data/actions.txt"
echo "== examples/homeserver: load run"
"$build/examples/homeserver/homeserver" "$data/homeserver.yaml" --events 100000
