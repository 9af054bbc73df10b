#!/usr/bin/env bash
# The daemon: FLOWS idle flows (a metronome ticking once a second through a Lua connector into
# a blackhole), RUNS times, alternating:
#   empty      temblor serve with no flows (the reference for memory and CPU),
#   daemon     temblor serve with the FLOWS flows: RSS, CPU while idle, then wrk on
#              GET /healthz (the reference for latency), GET /v1/flows and GET /metrics,
#   processes  the same flows as FLOWS `temblor run` processes: their summed RSS and CPU.
#
#   scripts/bench-daemon.sh [FLOWS] [RUNS] [SECONDS]     # defaults: 100 flows, 3 runs, 10 s
. "$(dirname "$0")/bench-common.sh" "${1:-100}" "${2:-3}"
flows=$lines
seconds=${3:-10}
bench_build temblor
command -v wrk >/dev/null || { echo "wrk is missing (scripts/bootstrap.sh installs it)"; exit 1; }
port=18490
dir="$data/daemon"
rm -rf "$dir"; mkdir -p "$dir/flows" "$dir/empty"
cat > "$dir/flows/pass.lua" <<'LUA'
return { api = 1, on_event = function(ctx, event, meta) ctx:emit(event, meta) end }
LUA
for i in $(seq -w "$flows"); do
  cat > "$dir/flows/idle-$i.yaml" <<YAML
connectors:
  tick: { type: metronome, config: { interval_ms: 1000 } }
  pass: { type: lua, plugin: pass.lua }
  sink: { type: blackhole }
links: [tick -> pass, pass -> sink]
YAML
done

tck=$(getconf CLK_TCK)
rss_kib() { local t=0; for p in "$@"; do t=$((t + $(awk '/^VmRSS/ {print $2}' "/proc/$p/status"))); done; echo "$t"; }
cpu_ticks() { local t=0; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo "$t"; }
# CPU of the processes over $seconds, as a percentage of one core.
cpu_percent() {
  local before after
  before=$(cpu_ticks "$@"); sleep "$seconds"; after=$(cpu_ticks "$@")
  awk -v d=$((after - before)) -v t="$tck" -v s="$seconds" 'BEGIN { printf "%.2f", 100 * d / t / s }'
}
wait_flows() {
  for _ in $(seq 600); do
    local n
    n=$(curl -sf "http://127.0.0.1:$port/v1/flows" | python3 -c 'import json,sys; print(sum(f["status"] == "running" for f in json.load(sys.stdin)))' 2>/dev/null || echo 0)
    [ "$n" -ge "$1" ] && return
    sleep 0.1
  done
  echo "the daemon never ran $1 flows"; exit 1
}
# p99 in milliseconds of GET $1 with 4 connections for $seconds.
p99_ms() {
  wrk -t1 -c4 -d1s "http://127.0.0.1:$port$1" >/dev/null
  wrk -t1 -c4 -d"${seconds}s" --latency "http://127.0.0.1:$port$1" |
    awk '$1 == "99%" { v = $2; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 } printf "%.3f", v }'
}

results=$(mktemp)
for _ in $(seq "$runs"); do
  "$bin/temblor" serve --api "127.0.0.1:$port" --flows "$dir/empty" >/dev/null 2>&1 &
  pid=$!
  wait_flows 0; sleep 2
  echo "mode=empty rss_kib=$(rss_kib $pid) cpu_percent=$(cpu_percent $pid)" | tee -a "$results"
  kill -TERM $pid; wait $pid || true

  "$bin/temblor" serve --api "127.0.0.1:$port" --flows "$dir/flows" >/dev/null 2>&1 &
  pid=$!
  wait_flows "$flows"; sleep 2
  line="mode=daemon rss_kib=$(rss_kib $pid) cpu_percent=$(cpu_percent $pid)"
  line="$line healthz_p99_ms=$(p99_ms /healthz) flows_p99_ms=$(p99_ms /v1/flows) metrics_p99_ms=$(p99_ms /metrics)"
  echo "$line metrics_bytes=$(curl -sf "http://127.0.0.1:$port/metrics" | wc -c)" | tee -a "$results"
  kill -TERM $pid; wait $pid || true

  pids=()
  for f in "$dir"/flows/*.yaml; do "$bin/temblor" run "$f" >/dev/null 2>&1 & pids+=($!); done
  sleep 5
  echo "mode=processes rss_kib=$(rss_kib "${pids[@]}") cpu_percent=$(cpu_percent "${pids[@]}")" | tee -a "$results"
  kill -TERM "${pids[@]}"; wait "${pids[@]}" 2>/dev/null || true
done

med() { grep "^mode=$1 " "$results" | sed -n "s/.* $2=\([0-9.]*\).*/\1/p" | median; }
e=$(med empty rss_kib); d=$(med daemon rss_kib); p=$(med processes rss_kib)
echo "median RSS KiB: empty=$e daemon=$d processes=$p; per flow in the daemon $(( (${d%.*} - ${e%.*}) / flows )) KiB; daemon/processes $(ratio "$d" "$p")x"
echo "median CPU %: empty=$(med empty cpu_percent) daemon=$(med daemon cpu_percent) processes=$(med processes cpu_percent)"
h=$(med daemon healthz_p99_ms); fl=$(med daemon flows_p99_ms); m=$(med daemon metrics_p99_ms)
echo "median p99 ms: /healthz=$h /v1/flows=$fl ($(ratio "$fl" "$h")x) /metrics=$m ($(ratio "$m" "$h")x)"
