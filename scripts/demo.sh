#!/usr/bin/env bash
# Quick start, part one: install what is missing, build, and run the demo (Ctrl-C to stop).
# Arguments go to `hookline demo`, for example --duration 20.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
HOOKLINE_BUILD_TARGETS=hookline scripts/build.sh  # the program only, not the tests
exec build/tools/hookline demo "$@"
