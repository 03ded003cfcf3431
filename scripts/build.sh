#!/usr/bin/env bash
# Configures and builds hookline into ./build (or $HOOKLINE_BUILD_DIR). Extra arguments go to
# the CMake configure step, for example -DHOOKLINE_SANITIZE=ON.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${HOOKLINE_BUILD_DIR:-build}
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$build_dir" -j"$(nproc)"
