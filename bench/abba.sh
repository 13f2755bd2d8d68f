#!/usr/bin/env bash
# Before/after on the same machine: runs one scenario against Pushwire from two source trees
# (say a worktree of main and a branch) in ABBA order, ROUNDS times, a fresh server per run, and
# prints one line per run prefixed A or B:
#   bench/abba.sh ROUNDS TREE_A TREE_B <scenario> [scenario options...]
# Servers run from source (`node --import tsx src/cli/bin.ts start`), so neither tree needs a build.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=$1 tree_a=$2 tree_b=$3
shift 3
export PUSHWIRE_LOG_LEVEL=warn PUSHWIRE_HOST=127.0.0.1
export PUSHWIRE_APPS='[{"id":"app-id","key":"app-key","secret":"app-secret","maxClientEventsPerSecond":1000000}]'

run() {
  local name=$1 tree=$2 port=$((6700 + RANDOM % 500)) log
  log=$(mktemp)
  (cd "$tree" && exec node --import tsx src/cli/bin.ts start --port "$port") >"$log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 200); do grep -q listening "$log" && break; sleep 0.1; done
  echo "$name $(node --import tsx bench/run.ts "${scenario[@]}" --port "$port" --pid "$pid" | tail -1)"
  kill -INT "$pid"
  wait "$pid" 2>/dev/null || true
  rm -f "$log"
}

scenario=("$@")
for _ in $(seq 1 "$rounds"); do
  run A "$tree_a"
  run B "$tree_b"
  run B "$tree_b"
  run A "$tree_a"
done
