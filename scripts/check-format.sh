#!/usr/bin/env bash
# Fails when any C++ source differs from what clang-format (.clang-format, 100 columns) makes.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cpp' '*.hpp')
if ((${#files[@]} == 0)); then
  exit 0
fi
if ! clang-format --dry-run --Werror "${files[@]}"; then
  echo "clang-format would change the files above; run: clang-format -i <file>" >&2
  exit 1
fi
