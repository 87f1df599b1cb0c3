#!/usr/bin/env bash
# Installs, from Debian's packages, whatever modhook's build, tests, examples and benchmarks
# need and this machine lacks. Does nothing when all are present.
set -euo pipefail

packages=(
  cmake ninja-build g++-12
  clang-16 libc++-16-dev libc++abi-16-dev libclang-rt-16-dev
  libboost-dev libexpected-dev nlohmann-json3-dev catch2 libbenchmark-dev libsigc++-3.0-dev libyaml-cpp-dev
  valgrind python3 pkg-config binutils git clang-format-16
  libsodium-dev
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "modhook: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
