#!/usr/bin/env bash
# Web: wrk with 64 kept-alive connections POSTing a small JSON body for DURATION seconds, to
#   hummingbird  a plain Hummingbird server answering 202 (the reference),
#   ingest       http_server -> blackhole (202 once acknowledged),
#   echo         http_server -> passthrough -> http_server (the body answered back, 200),
# each RUNS times, alternating; prints each run's req/s and p99 and the medians' ratios. Then
# WebSocket echo: 20 clients x 10,000 messages to a plain Hummingbird WebSocket server, then
# through ws_server -> passthrough -> ws_server, RUNS times.
#
#   scripts/bench-http.sh [DURATION] [RUNS]      # defaults: 10 s, 3 runs
. "$(dirname "$0")/bench-common.sh" "${1:-10}" "${2:-3}"
duration=$lines
bench_build temblor TemblorBenchmarks
command -v wrk >/dev/null || { echo "wrk is missing (scripts/bootstrap.sh installs it)"; exit 1; }
port=18480

cat > "$data/http-post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"id":4242,"level":"info","msg":"user logged in","user":"ada"}'
wrk.headers["Content-Type"] = "application/json"
LUA
cat > "$data/http-ingest.yaml" <<YAML
connectors:
  web: { type: http_server, config: { url: "127.0.0.1:$port" } }
  sink: { type: blackhole }
links:
  - web -> sink
YAML
cat > "$data/http-echo.yaml" <<YAML
connectors:
  web: { type: http_server, config: { url: "127.0.0.1:$port" } }
pipelines:
  echo: [passthrough]
links:
  - web -> echo
  - echo -> web
YAML

wait_port() { for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return; sleep 0.05; done; echo "nothing listens on $port"; exit 1; }

measure() {
  local name=$1; shift
  "$@" >/dev/null 2>&1 &
  local server=$!
  wait_port
  wrk -t2 -c64 -d1s -s "$data/http-post.lua" "http://127.0.0.1:$port/" >/dev/null   # warm-up
  local out
  out=$(wrk -t2 -c64 -d"${duration}s" --latency -s "$data/http-post.lua" "http://127.0.0.1:$port/")
  kill -INT "$server"; wait "$server" 2>/dev/null || true
  local rps p99 errors
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out" | tr '\n' ' ')
  echo "mode=$name req_per_s=$rps p99=$p99 $errors"
}

results=$(mktemp)
for _ in $(seq "$runs"); do
  measure hummingbird "$bin/TemblorBenchmarks" hummingbird "$port" | tee -a "$results"
  measure ingest "$bin/temblor" run "$data/http-ingest.yaml" | tee -a "$results"
  measure echo "$bin/temblor" run "$data/http-echo.yaml" | tee -a "$results"
done
med() { grep "^mode=$1 " "$results" | sed -n 's/.*req_per_s=\([0-9.]*\).*/\1/p' | median; }
h=$(med hummingbird); i=$(med ingest); e=$(med echo)
echo "median req/s: hummingbird=$h ingest=$i ($(ratio "$i" "$h")x) echo=$e ($(ratio "$e" "$h")x)"

for _ in $(seq "$runs"); do
  "$bin/TemblorBenchmarks" ws-echo 20 10000 | grep '^mode=' | tee -a "$results"
done
wsmed() { grep "^mode=$1 " "$results" | sed -n 's/.*messages_per_s=\([0-9.]*\).*/\1/p' | median; }
wh=$(wsmed ws-echo-hummingbird); wt=$(wsmed ws-echo)
echo "median messages/s: hummingbird=$wh ws_server=$wt ($(ratio "$wt" "$wh")x)"
