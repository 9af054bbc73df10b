#!/usr/bin/env bash
# Measures whole flows against the reference host's `decode` mode, in the same run, on the
# same files:
#   bench -> json -> passthrough -> blackhole   (ns/event from the blackhole's own clock)
#   file -> json -> passthrough -> file         (ns/event from the process's wall time)
# and checks that memory stays flat when the input grows (peak RSS, 1x and 4x the lines).
#
#   scripts/bench-flows.sh [LINES] [RUNS]      # defaults: 1000000 lines, 5 runs
. "$(dirname "$0")/bench-common.sh" "$@"
bench_build temblor
temblor=$bin/temblor

flow() {  # flow KIND INPUT OUTPUT-FLOW
  case $1 in
    bench) printf 'connectors:\n  bench:\n    type: bench\n    config: { path: %s }\n  hole:\n    type: blackhole\npipelines:\n  main:\n    - passthrough\nlinks:\n  - bench -> main\n  - main -> hole\n' "$2" > "$3" ;;
    file) printf 'connectors:\n  in:\n    type: file\n    config: { path: %s }\n  out:\n    type: file\n    config: { path: %s.out, mode: truncate }\npipelines:\n  main:\n    - passthrough\nlinks:\n  - in -> main\n  - main -> out\n' "$2" "$2" > "$3" ;;
  esac
}

printf '%-6s %-28s %12s %12s %7s\n' shape path reference temblor ratio
for shape in small mixed; do
  file=$(bench_data "$shape")
  flow bench "$file" "$data/bench-$shape.yaml"
  flow file "$file" "$data/file-$shape.yaml"
  ref=(); b=(); f=()
  for _ in $(seq "$runs"); do
    ref+=("$("$data/reference_host" decode "$file" | ns)")
    eps=$("$temblor" run "$data/bench-$shape.yaml" | sed -n 's/.* s, \([0-9]*\) events\/s/\1/p')
    b+=("$(awk -v e="$eps" 'BEGIN { printf "%.1f", 1e9 / e }')")
    start=$(date +%s%N)
    "$temblor" run "$data/file-$shape.yaml"
    end=$(date +%s%N)
    f+=("$(awk -v s="$start" -v e="$end" -v n="$lines" 'BEGIN { printf "%.1f", (e - s) / n }')")
    cmp -s "$file" "$file.out" || { echo "file flow output differs from its input" >&2; exit 1; }
  done
  r=$(printf '%s\n' "${ref[@]}" | median)
  bm=$(printf '%s\n' "${b[@]}" | median)
  fm=$(printf '%s\n' "${f[@]}" | median)
  printf '%-6s %-28s %12s %12s %7s\n' "$shape" "bench->passthrough->blackhole" "$r" "$bm" "$(ratio "$bm" "$r")"
  printf '%-6s %-28s %12s %12s %7s\n' "$shape" "file->passthrough->file" "$r" "$fm" "$(ratio "$fm" "$r")"
done

# Memory: the same file flow on 1x and 4x the mixed lines.
big="$data/mixed-4x-$lines.jsonl"
[ -s "$big" ] || for _ in 1 2 3 4; do cat "$data/mixed-$lines.jsonl"; done > "$big"
flow file "$big" "$data/file-mixed-4x.yaml"
rss() {  # median peak RSS of three runs, KiB
  for _ in 1 2 3; do /usr/bin/time -f '%M' "$temblor" run "$1" 2>&1 >/dev/null | tail -1; done | median
}
printf 'peak RSS of file->passthrough->file, mixed: %s KiB at %s lines, %s KiB at %s lines\n' \
  "$(rss "$data/file-mixed.yaml")" "$lines" "$(rss "$data/file-mixed-4x.yaml")" "$((lines * 4))"
rm -f "$data"/*.out
