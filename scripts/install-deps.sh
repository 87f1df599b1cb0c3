#!/usr/bin/env bash
# Installs, from Debian's packages, whatever modhook's build, tests, examples and benchmarks
# need and this machine lacks, and the homeserver's real-client test's npm packages. Does
# nothing when all are present.
set -euo pipefail

packages=(
  cmake ninja-build g++-12
  clang-16 libc++-16-dev libc++abi-16-dev libclang-rt-16-dev
  libboost-dev libexpected-dev nlohmann-json3-dev catch2 libbenchmark-dev libsigc++-3.0-dev libyaml-cpp-dev
  valgrind python3 pkg-config binutils git clang-format-16
  libsodium-dev
)

# Node.js runs the homeserver's real-client test (matrix-js-sdk); a machine that has a node of
# its own keeps it.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  packages+=(nodejs npm)
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} > 0)); then
  echo "modhook: installing ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# matrix-js-sdk, at the versions js-client/package-lock.json pins, into js-client/node_modules
# (ignored by git and the build). Installed again when the lock file changed since.
client="$(cd "$(dirname "$0")/.." && pwd)/examples/homeserver/js-client"
if ! cmp -s "$client/package-lock.json" "$client/node_modules/.package-lock.json.installed" 2>/dev/null; then
  echo "modhook: installing matrix-js-sdk for the homeserver's real-client test"
  (cd "$client" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  cp "$client/package-lock.json" "$client/node_modules/.package-lock.json.installed"
fi
