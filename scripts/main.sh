#!/usr/bin/env bash
# The main job: build modhook's examples and run them, the Synapse reference host among them.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
build="$root/build/main"
"$root/scripts/configure.sh" gcc "$build" -DCMAKE_BUILD_TYPE=Release -DMODHOOK_BUILD_TESTS=OFF -DMODHOOK_BUILD_EXAMPLES=ON
cmake --build "$build" -j2
for example in quick_start event_censorer static_modules module_order exclusive_callbacks older_signatures observed_modules wrapped_modules live_modules qsbr_modules async_censor async_static_modules; do
  echo "== examples/$example"
  "$build/examples/$example"
done
echo "== examples/shared_module: a host loads its module from a shared library"
"$build/examples/shared_host" "$build/examples/no_shouting.so"
# The Synapse reference host over HTTP: run.py starts the censor service and the homeserver on
# free loopback ports, replays the shipped scenario with the host's own client, prints the
# metrics, runs a bounded load with the shipped modules and with none, and stops everything.
echo "== examples/homeserver: the censor service, the homeserver, the scenario, the metrics, a load run"
python3 "$root/examples/homeserver/run.py" "$build/examples/homeserver" main
