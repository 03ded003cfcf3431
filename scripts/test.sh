#!/usr/bin/env bash
# Quick start, part two: install what is missing, build, check formatting and run every test
# through ctest. The tests start their own redis-server and receivers on free loopback ports.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
# The public Standard Webhooks verifier that the interop tests run against real deliveries.
(cd tests/node && npm install --no-package-lock --no-audit --no-fund --silent)
scripts/check-format.sh
scripts/build.sh
cd build
ctest --output-on-failure --timeout 300 -j"$(nproc)"
