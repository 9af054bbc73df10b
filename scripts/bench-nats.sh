#!/usr/bin/env bash
# Measures the nats connector against a nats-server with JetStream of its own on 127.0.0.1
# (a free port, its store in bench-data/nats), in one run:
#   jetstream, 1 worker   stream IN -> passthrough -> stream OUT, the messages preloaded into IN
#   jetstream, 3 workers  the same flow three times on one durable consumer
#   core nats, 1 worker   core.in -> passthrough -> core.out (at most once: what arrives counts)
#   nats-py loop          the same consume + publish loop in Python (scripts/bench-nats.py loop)
# events/s from the wall time between starting the workers and OUT holding every message
# (start-up included), runs alternating, medians; the core path from the first publish to the
# last arrival. Each message is a line of the flows benchmark's small events.
#
#   scripts/bench-nats.sh [MESSAGES] [RUNS]     # defaults: 200000 messages, 3 runs
#   TEMBLOR_BIN=path/to/temblor scripts/bench-nats.sh   # measures that build instead of building
. "$(dirname "$0")/bench-common.sh" "${1:-200000}" "${2:-3}"
bench_temblor
work="$data/nats"
rm -rf "$work"
mkdir -p "$work"

# nats-py in a virtual environment of its own, made once.
venv="$data/nats-venv"
if ! "$venv/bin/python" -c 'import nats' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q nats-py
fi
py() { "$venv/bin/python" scripts/bench-nats.py "$@"; }

server=$(command -v nats-server || true)
for dir in /usr/sbin /usr/local/bin "$HOME/.local/bin"; do
  [ -n "$server" ] || { [ -x "$dir/nats-server" ] && server="$dir/nats-server"; } || true
done
[ -n "$server" ] || { echo "nats-server is not installed (scripts/bootstrap.sh installs it)" >&2; exit 1; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port)
monitor=$(free_port)
url="nats://127.0.0.1:$port"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
"$server" -a 127.0.0.1 -p "$port" -m "$monitor" -js -sd "$work/store" > "$work/server.log" 2>&1 &
server_pid=$!
pids+=("$server_pid")
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$monitor/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fs "http://127.0.0.1:$monitor/healthz" >/dev/null || { echo "nats-server did not start:" >&2; cat "$work/server.log" >&2; exit 1; }

file=$(bench_data small)
py setup "$url" "$file" "$lines"

jetstream_flow() {  # jetstream_flow DURABLE FLOW
  printf 'connectors:\n  in:\n    type: nats\n    config:\n      servers: [%s]\n      jetstream: { stream: IN, durable: %s }\n  out:\n    type: nats\n    config:\n      servers: [%s]\n      subject: out.x\n      jetstream: { stream: OUT }\npipelines:\n  pass: [passthrough]\nlinks:\n  - in -> pass\n  - pass -> out\n' \
    "$url" "$1" "$url" > "$2"
}
printf 'connectors:\n  in:\n    type: nats\n    config: { servers: [%s], subject: core.in }\n  out:\n    type: nats\n    config: { servers: [%s], subject: core.out }\npipelines:\n  pass: [passthrough]\nlinks:\n  - in -> pass\n  - pass -> out\n' \
  "$url" "$url" > "$work/core.yaml"

eps() { awk -v s="$1" -v e="$2" -v n="$3" 'BEGIN { printf "%.0f", n / ((e - s) / 1e9) }'; }

jetstream() {  # jetstream WORKERS RUN: events/s of WORKERS temblor workers on a fresh durable
  local run=$2
  py reset "$url" OUT 'out.>'
  jetstream_flow "bench$run" "$work/js-$run.yaml"
  local start end workers=()
  start=$(date +%s%N)
  for w in $(seq "$1"); do
    "$temblor" run "$work/js-$run.yaml" --control none --no-watch 2> "$work/js-$run-$w.log" &
    workers+=($!)
    pids+=($!)
  done
  if ! py wait "$url" OUT "$lines"; then
    kill "${workers[@]}" 2>/dev/null || true
    cat "$work/js-$run-1.log" >&2
    exit 1
  fi
  end=$(date +%s%N)
  for pid in "${workers[@]}"; do kill "$pid"; wait "$pid" 2>/dev/null || true; done
  eps "$start" "$end" "$lines"
}

pyloop() {  # pyloop RUN: events/s of the nats-py loop on a fresh durable
  local run=$1
  py reset "$url" OUT 'out.>'
  local start end
  start=$(date +%s%N)
  py loop "$url" "py$run" "$lines"
  py wait "$url" OUT "$lines"
  end=$(date +%s%N)
  eps "$start" "$end" "$lines"
}

core() {  # "events/s received" of one worker on core NATS
  "$temblor" run "$work/core.yaml" --control none --no-watch 2> "$work/core.log" &
  local worker=$! received seconds
  pids+=("$worker")
  if ! received=$(py core "$url" "$file" "$lines"); then
    kill "$worker" 2>/dev/null || true
    cat "$work/core.log" >&2
    exit 1
  fi
  kill "$worker"; wait "$worker" 2>/dev/null || true
  read -r received seconds <<< "$received"
  awk -v n="$received" -v s="$seconds" 'BEGIN { printf "%.0f %d", n / s, n }'
}

one=(); three=(); plain=(); got=(); ref=()
for i in $(seq "$runs"); do
  r=$(jetstream 1 "one$i"); one+=("$r")
  r=$(pyloop "$i"); ref+=("$r")
  r=$(jetstream 3 "three$i"); three+=("$r")
  r=$(core); read -r e n <<< "$r"
  plain+=("$e"); got+=("$n")
done
med() { printf '%s\n' "$@" | median | awk '{ printf "%.0f", $1 }'; }
m1=$(med "${one[@]}")
m3=$(med "${three[@]}")
mc=$(med "${plain[@]}")
mr=$(med "${got[@]}")
mp=$(med "${ref[@]}")
printf '%s messages, %s runs, %s cores\n' "$lines" "$runs" "$(nproc)"
printf '%-28s %12s %10s\n' path events/s vs-nats-py
printf '%-28s %12s %10s\n' "jetstream, 1 worker" "$m1" "$(ratio "$m1" "$mp")"
printf '%-28s %12s %10s\n' "jetstream, 3 workers" "$m3" "$(ratio "$m3" "$mp")"
printf '%-28s %12s %10s\n' "core nats, 1 worker" "$mc" "$(ratio "$mc" "$mp")"
printf '%-28s %12s %10s\n' "nats-py loop" "$mp" "1.00"
printf 'core nats: %s of %s messages arrived (median)\n' "$mr" "$lines"
printf '3 workers / 1 worker: %s\n' "$(ratio "$m3" "$m1")"
