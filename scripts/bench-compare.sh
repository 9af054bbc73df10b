#!/usr/bin/env bash
# One table of the paths Temblor is measured on, each beside the reference host in the same run,
# as whole processes: wall and CPU time (min/median/max of RUNS runs, alternating A B A B ...),
# the ratio of the medians, and the peak RSS of each side. Then the fixed costs: idle memory of a
# Lua state, 1,000 Lua connectors in one process, hot-reload swap times.
#
#   scripts/bench-compare.sh [LINES] [RUNS]      # defaults: 1000000 lines, 5 runs
. "$(dirname "$0")/bench-common.sh" "$@"
bench_build temblor TemblorBenchmarks

# measure OUT COMMAND...: appends "wall cpu rss_kib" of one whole-process run to the file OUT.
measure() {
  local out=$1; shift
  local start end t
  start=$(date +%s%N)
  t=$( { /usr/bin/time -f '%U %S %M' "$@" >/dev/null 2>/dev/null; } 2>&1 | tail -1)
  end=$(date +%s%N)
  awk -v s="$start" -v e="$end" -v t="$t" 'BEGIN { split(t, a, " "); printf "%.3f %.3f %d\n", (e - s) / 1e9, a[1] + a[2], a[3] }' >> "$out"
}
column_of() { awk -v c="$2" '{ print $c }' "$1"; }
stats() {  # stats FILE COLUMN: min/median/max
  local values; values=$(column_of "$1" "$2" | sort -n)
  printf '%s/%s/%s' "$(head -1 <<<"$values")" "$(median <<<"$values")" "$(tail -1 <<<"$values")"
}
med() { column_of "$1" "$2" | median; }

bench_lua_counters

# row NAME SHAPE FLOW REFERENCE-MODE...
row() {
  local name=$1 shape=$2 flow=$3; shift 3
  local ref t; ref=$(mktemp); t=$(mktemp)
  for _ in $(seq "$runs"); do
    measure "$ref" "$data/reference_host" "$@"
    measure "$t" "$bin/temblor" run "$flow"
  done
  printf '| %s | %s | %s | %s | %s | %s | **%s** | %s | %s / %s |\n' "$name" "$shape" \
    "$(stats "$ref" 1)" "$(stats "$t" 1)" "$(med "$ref" 2)" "$(med "$t" 2)" \
    "$(ratio "$(med "$t" 1)" "$(med "$ref" 1)")" "$(ratio "$(med "$t" 2)" "$(med "$ref" 2)")" \
    "$(( $(med "$ref" 3) / 1024 ))" "$(( $(med "$t" 3) / 1024 ))"
  rm -f "$ref" "$t"
}

echo "commit $(git rev-parse --short HEAD), $lines lines, $runs runs per side"
echo
echo '| path | shape | reference wall s (min/med/max) | Temblor wall s (min/med/max) | reference CPU s | Temblor CPU s | wall ratio | CPU ratio | peak RSS MiB ref / Temblor |'
echo '|---|---|---|---|---|---|---|---|---|'
small=$(bench_data small)
mixed=$(bench_data mixed)
printf 'connectors:\n  in: { type: file, config: { path: %s } }\n  count: { type: lua, plugin: count.lua }\nlinks: [in -> count]\n' \
  "$small" > "$data/compare-direct.yaml"
printf 'connectors:\n  in: { type: file, config: { path: %s } }\n  count: { type: lua, plugin: count-meta.lua }\npipelines:\n  main: [passthrough]\nlinks: [in -> main, main -> count]\n' \
  "$small" > "$data/compare-pipeline.yaml"
row "file -> Lua sink, linked directly" small "$data/compare-direct.yaml" lua "$small" "$data/count-reference.lua"
row "file -> pipeline [passthrough] -> Lua sink (ctx, event, meta)" small "$data/compare-pipeline.yaml" lua "$small" "$data/count-reference.lua"
for shape in small mixed; do
  file=$([ "$shape" = small ] && echo "$small" || echo "$mixed")
  printf 'connectors:\n  bench: { type: bench, config: { path: %s } }\n  hole: { type: blackhole }\npipelines:\n  main: [passthrough]\nlinks: [bench -> main, main -> hole]\n' \
    "$file" > "$data/compare-bench-$shape.yaml"
  row "bench -> pipeline -> blackhole (reference: decode)" "$shape" "$data/compare-bench-$shape.yaml" decode "$file"
done

echo
"$bin/TemblorBenchmarks" lua-idle
printf 'return { api = 1, source = function(ctx) ctx:emit({ n = 1 }) end }\n' > "$data/one.lua"
{ printf 'connectors:\n'
  for i in $(seq 1000); do printf '  l%s: { type: lua, plugin: one.lua }\n' "$i"; done
  printf '  sink: { type: null }\nlinks:\n'
  for i in $(seq 1000); do printf '  - l%s -> sink\n' "$i"; done
} > "$data/many-1000.yaml"
many=$(mktemp)
for _ in 1 2 3; do measure "$many" "$bin/temblor" run "$data/many-1000.yaml"; done
echo "1000 Lua connectors: start to end $(stats "$many" 1) s, peak RSS $(( $(med "$many" 3) / 1024 )) MiB (min/median/max of 3)"
rm -f "$many"
"$bin/TemblorBenchmarks" reload 1000000 2>/dev/null | grep '^mode=reload' || true
