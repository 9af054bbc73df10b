#!/usr/bin/env bash
# Measures Temblor's codec paths against the reference host in the same run, on the same files.
#
#   scripts/bench.sh [LINES] [RUNS]     # defaults: 1000000 lines, 5 runs of each
#
# Generates `small` and `mixed` JSON lines with ../shared/bench/gen-events.py into bench-data/,
# builds the reference host and the release benchmarks, then runs reference and Temblor in
# turn (A B A B ...) and reports the median ns/event of each and their ratio.
. "$(dirname "$0")/bench-common.sh" "$@"
bench_build TemblorBenchmarks
bench=$bin/TemblorBenchmarks

printf '%-6s %-20s %12s %12s %7s\n' shape mode reference temblor ratio
for shape in small mixed; do
  file=$(bench_data "$shape")
  for mode in json-decode json-parse json-decode-stream json-encode; do
    ref=(); ours=()
    for _ in $(seq "$runs"); do
      ref+=("$("$data/reference_host" decode "$file" | ns)")
      ours+=("$("$bench" "$mode" "$file" | ns)")
    done
    r=$(printf '%s\n' "${ref[@]}" | median)
    o=$(printf '%s\n' "${ours[@]}" | median)
    printf '%-6s %-20s %12s %12s %7s\n' "$shape" "$mode" "$r" "$o" "$(ratio "$o" "$r")"
  done
done
