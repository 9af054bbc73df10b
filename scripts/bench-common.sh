# Shared by the benchmark scripts (sourced, not run): arguments, the data folder, the reference
# host, release builds, and the small helpers their reports use.
#
#   . scripts/bench-common.sh "$@"      # then: $lines $runs $shared $data $bin; bench_build PRODUCT...
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
lines=${1:-1000000}
runs=${2:-5}
shared=../shared/bench
data=$(pwd)/bench-data
mkdir -p "$data"

./scripts/bootstrap.sh
"$shared/reference-host/build.sh" "$data/reference_host" >/dev/null

# Builds the release products named and sets $bin to where they are.
bench_build() {
  for product in "$@"; do swift build -c release --product "$product" >/dev/null; done
  bin=$(swift build -c release --show-bin-path)
}

# Sets $temblor to the binary to measure: $TEMBLOR_BIN when set, else a release build of it.
bench_temblor() {
  if [ -n "${TEMBLOR_BIN:-}" ]; then
    temblor=$TEMBLOR_BIN
  else
    bench_build temblor
    temblor=$bin/temblor
  fi
}

# The generated file of a shape at $lines lines, made on first use.
bench_data() {
  local file="$data/$1-$lines.jsonl"
  [ -s "$file" ] || python3 "$shared/gen-events.py" "$lines" --shape "$1" > "$file"
  printf '%s' "$file"
}

ns() { sed -n 's/.*ns_per_event=\([0-9.]*\).*/\1/p'; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
ratio() { awk -v o="$1" -v r="$2" 'BEGIN { printf "%.2f", o / r }'; }

# The reference host's default Lua script (count the events whose level is "error") into
# $data: count-reference.lua for the reference, count.lua and count-meta.lua (a handler that
# declares the metadata parameter) as Temblor plugins doing the same work.
bench_lua_counters() {
  local name handler
  for name in count count-meta; do
    handler=$([ "$name" = count ] && echo "e" || echo "e, meta")
    printf '%s\n' "local errors = 0" "return {" "  api = 1," \
      "  on_event = function(ctx, $handler) if e.level == 'error' then errors = errors + 1 end end," \
      "  on_stop = function(ctx) ctx:log(\"info\", \"errors=\" .. errors) end," "}" > "$data/$name.lua"
  done
  cat > "$data/count-reference.lua" <<'LUA'
local errors = 0
function on_event(e) if e.level == 'error' then errors = errors + 1 end end
function result() return errors end
LUA
}
