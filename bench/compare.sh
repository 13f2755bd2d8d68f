#!/usr/bin/env bash
# Runs one scenario against Pushwire and against the bare server of bench/ceiling alternately,
# ROUNDS times, each run on a freshly started server, and prints one line per run:
#   bench/compare.sh ROUNDS <scenario> [scenario options...]
# Pushwire runs from dist/ (`npm run build` first); NODE selects the node binary for both servers.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=$1
shift
node_bin=${NODE:-node}
export PUSHWIRE_LOG_LEVEL=warn PUSHWIRE_HOST=127.0.0.1
export PUSHWIRE_APPS='[{"id":"app-id","key":"app-key","secret":"app-secret","maxClientEventsPerSecond":1000000}]'

run() {
  local name=$1 port=$((6200 + RANDOM % 500)) log
  log=$(mktemp)
  shift
  "$node_bin" "$@" --port "$port" >"$log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 100); do grep -q listening "$log" && break; sleep 0.1; done
  echo "$name $(node --import tsx bench/run.ts "${scenario[@]}" --port "$port" --pid "$pid" | tail -1)"
  kill -INT "$pid"
  wait "$pid" 2>/dev/null || true
  rm -f "$log"
}

scenario=("$@")
for _ in $(seq 1 "$rounds"); do
  run pushwire bin/pushwire.js start
  run ceiling --import tsx bench/ceiling/server.ts
done
