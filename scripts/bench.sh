#!/usr/bin/env bash
# Measures Temblor's codec paths against the reference host in the same run, on the same files.
#
#   scripts/bench.sh [LINES] [RUNS]     # defaults: 1000000 lines, 5 runs of each
#
# Generates `small` and `mixed` JSON lines with ../shared/bench/gen-events.py into bench-data/,
# builds the reference host and the release benchmarks, then runs reference and Temblor in
# turn (A B A B ...) and reports the median ns/event of each and their ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
lines=${1:-1000000}
runs=${2:-5}
shared=../shared/bench
data=bench-data
mkdir -p "$data"

./scripts/bootstrap.sh
"$shared/reference-host/build.sh" "$data/reference_host" >/dev/null
swift build -c release --product TemblorBenchmarks >/dev/null
bench=$(swift build -c release --show-bin-path)/TemblorBenchmarks

ns() { sed -n 's/.*ns_per_event=\([0-9.]*\).*/\1/p'; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

printf '%-6s %-20s %12s %12s %7s\n' shape mode reference temblor ratio
for shape in small mixed; do
  file="$data/$shape-$lines.jsonl"
  [ -s "$file" ] || python3 "$shared/gen-events.py" "$lines" --shape "$shape" > "$file"
  for mode in json-decode json-parse json-decode-stream json-encode; do
    ref=(); ours=()
    for _ in $(seq "$runs"); do
      ref+=("$("$data/reference_host" decode "$file" | ns)")
      ours+=("$("$bench" "$mode" "$file" | ns)")
    done
    r=$(printf '%s\n' "${ref[@]}" | median)
    o=$(printf '%s\n' "${ours[@]}" | median)
    printf '%-6s %-20s %12s %12s %7s\n' "$shape" "$mode" "$r" "$o" "$(awk -v o="$o" -v r="$r" 'BEGIN { printf "%.2f", o / r }')"
  done
done
