#!/usr/bin/env bash
# Runs one scenario against Pushwire and soketi 1.6.1 (the peer of ../shared/bench-peers), or
# against the servers SERVERS names (below), ABBA: round 1 Pushwire then soketi, round 2 soketi
# then Pushwire, and so on; a freshly started server for every run, the same load generator for
# all. Prints one line per run:
#   bench/compare-soketi.sh ROUNDS <scenario> [scenario options...]
# Pushwire runs from dist/ (`npm run build` first); PUSHWIRE_NODE_OPTIONS are passed to its node.
# soketi is looked for in PEER_SOKETI_DIR (default ~/.cache/pushwire-peers/soketi).
# SERVERS="A B [C...]" picks the servers: `pushwire`, `soketi`, `ceiling` (the bare server of
# bench/ceiling: `ws` and Node with none of the protocol's work), `uws-ceiling` (the same on
# uWebSockets.js, loaded from the soketi install), or the path of another build
# of Pushwire (a folder with bin/pushwire.js and dist/), to compare builds the same way. Odd
# rounds run them in the order given, even rounds in reverse.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=$1
shift
peers=${PEER_SCRIPTS:-$(cd .. && pwd)/shared/bench-peers}
[ -d "$peers" ] || peers=/work/shared/bench-peers
export PEER_SOKETI_DIR=${PEER_SOKETI_DIR:-$HOME/.cache/pushwire-peers/soketi}
export PEER_SOKETI_USER_AUTH=false
export PUSHWIRE_LOG_LEVEL=warn PUSHWIRE_HOST=127.0.0.1
export PUSHWIRE_APPS='[{"id":"app-id","key":"app-key","secret":"app-secret","maxClientEventsPerSecond":1000000}]'

wait_port() {
  for _ in $(seq 1 200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

run() {
  local name=$1 port=$((23100 + RANDOM % 800)) log pid
  log=$(mktemp)
  if [ "$name" = soketi ]; then
    "$peers/start-soketi.sh" "$port" >"$log" 2>&1 &
  elif [ "$name" = ceiling ]; then
    node --import tsx bench/ceiling/server.ts --port "$port" >"$log" 2>&1 &
  elif [ "$name" = uws-ceiling ]; then
    node --import tsx bench/ceiling/uws-server.ts --port "$port" >"$log" 2>&1 &
  else
    local dir=.
    [ "$name" = pushwire ] || dir=$name
    # shellcheck disable=SC2086
    node ${PUSHWIRE_NODE_OPTIONS:-} "$dir/bin/pushwire.js" start --port "$port" >"$log" 2>&1 &
  fi
  pid=$!
  if wait_port "$port"; then
    sleep 0.5
    echo "$name $(node --import tsx bench/run.ts "${scenario[@]}" --port "$port" --pid "$pid" | tail -1)"
  else
    echo "$name did not start: $(tail -3 "$log")"
  fi
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -f "$log"
}

scenario=("$@")
read -r -a servers <<<"${SERVERS:-pushwire soketi}"
((${#servers[@]})) || { echo "SERVERS names no server" >&2; exit 2; }
for round in $(seq 1 "$rounds"); do
  # Odd rounds in the order given, even rounds reversed: ABBA for two, ABCCBA for three.
  if [ $((round % 2)) -eq 1 ]; then
    for ((i = 0; i < ${#servers[@]}; i++)); do run "${servers[i]}"; done
  else
    for ((i = ${#servers[@]} - 1; i >= 0; i--)); do run "${servers[i]}"; done
  fi
done
