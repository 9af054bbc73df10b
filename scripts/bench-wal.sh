#!/usr/bin/env bash
# Measures the wal connector against the same flow without it, in one run, on one file:
#   file -> blackhole          (events in memory only: the reference)
#   file -> wal -> blackhole   (fsync: batch; every event on disk before it is acknowledged)
# events/s from the process's wall time (start-up, reading, decoding, the wal, the sink), runs
# alternating; then peak RSS with a Lua sink about ten times slower than the file source, on
# 1x and 4x the lines, while the wal grows on disk.
#
#   scripts/bench-wal.sh [LINES] [RUNS] [SPIN]   # defaults: 1000000 lines, 5 runs, 500 spin
#   TEMBLOR_BIN=path/to/temblor scripts/bench-wal.sh   # measures that build instead of building
. "$(dirname "$0")/bench-common.sh" "$@"
spin=${3:-500}
bench_temblor
work="$data/wal"
mkdir -p "$work"

file=$(bench_data small)
printf 'connectors:\n  in:\n    type: file\n    config: { path: %s }\n  hole:\n    type: blackhole\nlinks:\n  - in -> hole\n' "$file" > "$work/memory.yaml"
printf 'connectors:\n  in:\n    type: file\n    config: { path: %s }\n  spool:\n    type: wal\n    config: { path: %s/spool, fsync: batch }\n  hole:\n    type: blackhole\nlinks:\n  - in -> spool\n  - spool -> hole\n' "$file" "$work" > "$work/wal.yaml"

eps() {  # eps FLOW: events/s of one whole run, from its wall time
  rm -rf "$work/spool"
  local start end
  start=$(date +%s%N)
  "$temblor" run "$1" --control none > "$work/report.txt"
  end=$(date +%s%N)
  grep -q " $lines events in" "$work/report.txt" || { echo "$1 did not deliver $lines events:" >&2; cat "$work/report.txt" >&2; exit 1; }
  awk -v s="$start" -v e="$end" -v n="$lines" 'BEGIN { printf "%.0f", n / ((e - s) / 1e9) }'
}

m=(); w=()
for _ in $(seq "$runs"); do
  m+=("$(eps "$work/memory.yaml")")
  w+=("$(eps "$work/wal.yaml")")
done
mm=$(printf '%s\n' "${m[@]}" | median)
wm=$(printf '%s\n' "${w[@]}" | median)
printf '%-26s %12s\n' path events/s
printf '%-26s %12s\n' "file->blackhole" "$mm"
printf '%-26s %12s\n' "file->wal->blackhole" "$wm"
printf 'wal / in-memory: %s\n' "$(ratio "$wm" "$mm")"

# A slow sink: each event costs a Lua loop of $spin additions.
cat > "$work/slow.lua" <<'LUA'
return {
  api = 1,
  defaults = { spin = 500 },
  on_event = function(ctx, event, meta)
    local x = 0
    for i = 1, ctx.config.spin do x = x + i end
  end,
}
LUA
quarter=$((lines / 4))
head -n "$quarter" "$file" > "$work/quarter.jsonl"
slow_flow() {  # slow_flow INPUT OUTPUT-FLOW
  printf 'connectors:\n  in:\n    type: file\n    config: { path: %s }\n  spool:\n    type: wal\n    config: { path: %s/spool }\n  slow:\n    type: lua\n    plugin: slow.lua\n    config: { spin: %s }\nlinks:\n  - in -> spool\n  - spool -> slow\n' "$1" "$work" "$spin" > "$2"
}
slow_flow "$work/quarter.jsonl" "$work/slow-1x.yaml"
slow_flow "$file" "$work/slow-4x.yaml"
slow_run() {  # slow_run FLOW LINES: "peak-RSS-KiB events/s"
  rm -rf "$work/spool"
  local start end rss
  start=$(date +%s%N)
  rss=$(/usr/bin/time -f '%M' "$temblor" run "$1" --control none 2>&1 >/dev/null | tail -1)
  end=$(date +%s%N)
  printf '%s %s' "$rss" "$(awk -v s="$start" -v e="$end" -v n="$2" 'BEGIN { printf "%.0f", n / ((e - s) / 1e9) }')"
}
read -r rss1 eps1 <<< "$(slow_run "$work/slow-1x.yaml" "$quarter")"
read -r rss4 eps4 <<< "$(slow_run "$work/slow-4x.yaml" "$lines")"
printf 'slow sink: %s events/s (the file source alone: %s, %sx faster)\n' "$eps4" "$mm" "$(ratio "$mm" "$eps4")"
printf 'peak RSS of file->wal->slow sink: %s KiB at %s lines, %s KiB at %s lines\n' "$rss1" "$quarter" "$rss4" "$lines"
rm -rf "$work/spool"
