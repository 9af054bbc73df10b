#!/usr/bin/env bash
# Hot reload under load: a flow of small JSON events through a Lua connector, run once without
# reloads and once with 100 reloads of the plugin (a new version every 20 ms), in one process.
# Prints each run's swap times (p50, p99, max) and throughputs (whole run, worst 50 ms window).
#
#   scripts/bench-reload.sh [EVENTS] [RUNS]      # defaults: 3000000 events, 3 runs
. "$(dirname "$0")/bench-common.sh" "${1:-3000000}" "${2:-3}"
bench_build TemblorBenchmarks
for _ in $(seq "$runs"); do
  "$bin/TemblorBenchmarks" reload "$lines" 2>/dev/null | grep '^mode=reload'
done
