#!/usr/bin/env bash
# Runs one fuzzer for a bounded time over a scratch copy of its seed corpus (the checked-in
# seeds stay as they are) and prints libFuzzer's execution count. Fails on any crash, leak,
# sanitizer report, broken invariant or timeout; the input that did it is kept in the
# scratch folder, whose path is printed.
# Usage: run_fuzzer.sh FUZZER SEED_DIR SECONDS [more libFuzzer flags]
set -euo pipefail
fuzzer=$1
seeds=$2
seconds=$3
shift 3

work=$(mktemp -d "${TMPDIR:-/tmp}/hookline-fuzz.XXXXXX")
mkdir "$work/corpus" "$work/artifacts"
cp "$seeds"/* "$work/corpus/"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
status=0
"$fuzzer" -max_total_time="$seconds" -rss_limit_mb=1024 -timeout=10 -max_len=8192 \
  -print_final_stats=1 -artifact_prefix="$work/artifacts/" "$@" "$work/corpus" \
  >"$work/log" 2>&1 || status=$?

# libFuzzer's closing line, e.g. "Done 412345 runs in 20 second(s)".
if [[ $status -eq 0 ]] && grep -q '^Done [0-9]* runs' "$work/log"; then
  name=$(basename "$fuzzer")
  grep -E '^(Done [0-9]* runs|stat::number_of_executed_units|stat::new_units_added)' "$work/log" |
    sed "s/^/$name: /"
  echo "$name: corpus grew from $(ls "$seeds" | wc -l) to $(ls "$work/corpus" | wc -l) inputs"
  rm -rf "$work"
  exit 0
fi
tail -n 60 "$work/log"
echo "fuzzer failed (exit $status); log, corpus and failing input kept in $work" >&2
exit 1
