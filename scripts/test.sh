#!/usr/bin/env bash
# Quick start, part two: install what is missing, check formatting, then:
#   1. the normal build (./build, RelWithDebInfo): the program and the benchmarks;
#   2. the whole suite through ctest, built with AddressSanitizer + UndefinedBehaviorSanitizer
#      (./build-asan, clang, unoptimised); any sanitizer report fails it. One sanitized run
#      finds everything a plain run would and memory errors besides, for one build of the tests;
#   3. the fuzzers (./build-fuzz, clang + libFuzzer + ASan/UBSan), each for
#      HOOKLINE_FUZZ_SECONDS (default 15) over a copy of its seed corpus, printing run counts;
#   4. the optimised program end to end: the micro-benchmarks once, briefly, and a small
#      `hookline loadtest`, so neither rots (their figures here are not measurements).
# The tests start their own redis-server and receivers on free loopback ports.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
fuzz_seconds=${HOOKLINE_FUZZ_SECONDS:-15}

phase_times=()
phase_start=$SECONDS
phase() {
  local now=$SECONDS
  if [[ -n ${phase_name:-} ]]; then
    phase_times+=("$(printf '%-22s %4ds' "$phase_name" $((now - phase_start)))")
  fi
  phase_name=$1
  phase_start=$now
  echo "== $phase_name"
}
summary() {
  phase ""
  printf '%s\n' "== phase times:" "${phase_times[@]}" "total                  ${SECONDS}s"
}
trap summary EXIT

phase "install dependencies"
scripts/install-deps.sh
# The public Standard Webhooks verifier that the interop tests run against real deliveries.
(cd tests/node && npm install --no-package-lock --no-audit --no-fund --silent)
scripts/check-format.sh

phase "build"
HOOKLINE_BUILD_TARGETS="hookline hookline_bench" scripts/build.sh

phase "sanitizer build"
# clang: it compiles the instrumented code about twice as fast as GCC (see CMakeLists.txt).
CC=clang CXX=clang++ cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DHOOKLINE_SANITIZE=ON -DHOOKLINE_BUILD_BENCH=OFF >/dev/null
cmake --build build-asan -j"$jobs" --target hookline_tests
phase "test"
# -fno-sanitize-recover makes every report fatal; these add leak checks and UBSan stacks.
(cd build-asan &&
  ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=0 \
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  ctest --output-on-failure --timeout 300 -j"$jobs")

phase "fuzz build"
CC=clang CXX=clang++ cmake -S fuzz -B build-fuzz -DHOOKLINE_FUZZ_SECONDS="$fuzz_seconds" >/dev/null
cmake --build build-fuzz -j"$jobs"
phase "fuzz"
# Verbose, so each fuzzer's closing stats (its execution count) appear in the output.
(cd build-fuzz && ctest --verbose --timeout 300 -j"$jobs")

phase "optimised smoke"
build/bench/hookline_bench --benchmark_min_time=0.01
build/tools/hookline loadtest --events 3000 --reference builtin --reference-seconds 1 --no-progress
