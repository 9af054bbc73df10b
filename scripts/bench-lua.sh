#!/usr/bin/env bash
# Measures Lua plugins against the reference host's `lua` mode, in the same run, on the same files:
#   file -> json -> Lua sink's on_event   (whole-process wall time per event, both sides)
# the memory of an idle plugin state, and a flow of 1,000 Lua connectors (start-up to end, peak RSS).
#
#   scripts/bench-lua.sh [LINES] [RUNS]      # defaults: 1000000 lines, 5 runs
. "$(dirname "$0")/bench-common.sh" "$@"
bench_build temblor TemblorBenchmarks

wall_ns() {  # wall_ns LINES COMMAND...: whole-process nanoseconds per line
  local n=$1; shift
  local start end
  start=$(date +%s%N); "$@" >/dev/null 2>&1; end=$(date +%s%N)
  awk -v s="$start" -v e="$end" -v n="$n" 'BEGIN { printf "%.1f", (e - s) / n }'
}

bench_lua_counters

printf '%-6s %-28s %12s %12s %7s\n' shape path reference temblor ratio
for shape in small mixed; do
  file=$(bench_data "$shape")
  printf 'connectors:\n  in:\n    type: file\n    config: { path: %s }\n  count:\n    type: lua\n    plugin: count.lua\nlinks:\n  - in -> count\n' \
    "$file" > "$data/lua-$shape.yaml"
  ref=(); t=()
  for _ in $(seq "$runs"); do
    ref+=("$(wall_ns "$lines" "$data/reference_host" lua "$file" "$data/count-reference.lua")")
    t+=("$(wall_ns "$lines" "$bin/temblor" run "$data/lua-$shape.yaml")")
  done
  r=$(printf '%s\n' "${ref[@]}" | median)
  m=$(printf '%s\n' "${t[@]}" | median)
  printf '%-6s %-28s %12s %12s %7s\n' "$shape" "file->json->lua on_event" "$r" "$m" "$(ratio "$m" "$r")"
done

"$bin/TemblorBenchmarks" lua-idle

# 1,000 Lua connectors, each emitting one event into one sink; 1 connector as the baseline.
printf 'return { api = 1, source = function(ctx) ctx:emit({ n = 1 }) end }\n' > "$data/one.lua"
for n in 1 1000; do
  { printf 'connectors:\n'
    for i in $(seq "$n"); do printf '  l%s: { type: lua, plugin: one.lua }\n' "$i"; done
    printf '  sink: { type: null }\nlinks:\n'
    for i in $(seq "$n"); do printf '  - l%s -> sink\n' "$i"; done
  } > "$data/many-$n.yaml"
  w=(); m=()
  for _ in 1 2 3; do
    out=$( { /usr/bin/time -f '%e %M' "$bin/temblor" run "$data/many-$n.yaml" >/dev/null; } 2>&1 | tail -1)
    w+=("${out% *}"); m+=("${out#* }")
  done
  printf '%5s Lua connectors: start to end %s s, peak RSS %s KiB (medians of 3)\n' "$n" \
    "$(printf '%s\n' "${w[@]}" | median)" "$(printf '%s\n' "${m[@]}" | median)"
done
