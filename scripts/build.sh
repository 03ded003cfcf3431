#!/usr/bin/env bash
# Configures and builds hookline into ./build (or $HOOKLINE_BUILD_DIR). Extra arguments go to
# the CMake configure step, for example -DHOOKLINE_SANITIZE=ON. $HOOKLINE_BUILD_TARGETS, when set,
# names the targets to build (space-separated); otherwise everything is built.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${HOOKLINE_BUILD_DIR:-build}
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
targets=()
for target in ${HOOKLINE_BUILD_TARGETS:-}; do
  targets+=(--target "$target")
done
cmake --build "$build_dir" -j"$(nproc)" "${targets[@]}"
