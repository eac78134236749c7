#!/bin/bash
# bench/warmup/run.sh — ping latency through a freshly started bridge, JIT warm-up off
# (WARM=0) against on (the default), in alternating pairs so both see the same machine.
#
#   ns A [va] ── [sa] ns SW: bare Bridge (bare-bridge.ts) [sb] ── [vb] ns B
#
# Per run: a new bridge process, 5 pings to settle ARP, then PINGS pings 50 ms apart;
# prints the average of each run. Needs root. Namespaces are removed on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
PAIRS=${PAIRS:-3}
PINGS=${PINGS:-40}
P="wb$$"
SW=""
cleanup() {
  [ -n "$SW" ] && kill "$SW" 2>/dev/null && wait "$SW" 2>/dev/null || true
  for n in a b sw; do ip netns del "$P$n" 2>/dev/null || true; done
}
trap cleanup EXIT INT TERM
npx tsc -p tsconfig.json
for n in a b sw; do ip netns add "$P$n"; done
ip link add va netns "${P}a" type veth peer name sa netns "${P}sw"
ip link add vb netns "${P}b" type veth peer name sb netns "${P}sw"
ip -n "${P}a" addr add 10.77.0.1/24 dev va && ip -n "${P}a" link set va up
ip -n "${P}b" addr add 10.77.0.2/24 dev vb && ip -n "${P}b" link set vb up
ip -n "${P}sw" link set sa up && ip -n "${P}sw" link set sb up

one() { # WARM → average rtt in ms
  local log; log=$(mktemp)
  WARM="$1" ip netns exec "${P}sw" node dist/bench/warmup/bare-bridge.js sa sb >"$log" 2>&1 &
  SW=$!
  for _ in $(seq 50); do grep -q ready "$log" && break; sleep 0.1; done
  ip netns exec "${P}a" ping -q -c 5 -i 0.1 10.77.0.2 >/dev/null
  ip netns exec "${P}a" ping -q -c "$PINGS" -i 0.05 10.77.0.2 | awk -F/ '/^rtt/ {print $5}'
  kill "$SW"; wait "$SW" 2>/dev/null || true; SW=""; rm -f "$log"
}
echo "warm-up bench: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg), $PINGS pings per run"
for i in $(seq "$PAIRS"); do
  echo "pair $i: warm-up off $(one 0) ms, warm-up on $(one 1) ms (average rtt)"
done
