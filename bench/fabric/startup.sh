#!/usr/bin/env bash
# npm run bench:fabric-startup [-- BRIDGES PORTS [ROUNDS]]   (root; not part of CI; ~1 min)
# What a Mininet fabric's start and stop cost the daemon, without Mininet: in a private
# namespace, BRIDGES x PORTS veths (default 64 x 4), a daemon with the Mininet flags
# (--ring-size RING_SIZE --flow-cache-entries 4096; RING_SIZE defaults to the Mininet
# default, 256k, src/mininet/sluice.py), then one `sluice batch` that adds every
# bridge and port, then SIGTERM. Per round it prints the batch's wall time, the daemon's
# CPU during it, its RSS per bridge (minus the empty daemon's) and the time to stop.
# SLUICE_CLI (default dist/src/cli/main.js of this checkout) runs another build: with
# RING_SIZE, a before/after pair in one sitting (bench/fabric/README.md).
# NODE_FLAGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") go to the daemon's node.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-64}; P=${2:-4}; ROUNDS=${3:-3}
CLI=${SLUICE_CLI:-dist/src/cli/main.js}
RING=${RING_SIZE:-256k}
[ -n "${SLUICE_CLI:-}" ] || npm run build >/dev/null
NS="slfst$$"
W="$(mktemp -d /tmp/sluice-fabric-startup-XXXXXX)"
PID=""
cleanup() {
  [ -n "$PID" ] && kill -TERM "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
  ip netns del "$NS" 2>/dev/null || true
  rm -rf "$W"
}
trap cleanup EXIT
ip netns add "$NS"
ip -n "$NS" link set lo up
for b in $(seq 1 "$N"); do for p in $(seq 1 "$P"); do
  printf 'link add s%de%d type veth peer name h%de%d\nlink set s%de%d up\nlink set h%de%d up\n' "$b" "$p" "$b" "$p" "$b" "$p" "$b" "$p"
done; done | ip -n "$NS" -batch -
for b in $(seq 1 "$N"); do
  echo "add-br s$b --dpid $b --fail-mode secure"
  for p in $(seq 1 "$P"); do echo "add-port s$b s${b}e$p --ofport $p"; done
done >"$W/batch"
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
now() { date +%s.%N; }
for r in $(seq 1 "$ROUNDS"); do
  rm -rf "$W/rd" "$W/conf.json"
  # shellcheck disable=SC2086
  ip netns exec "$NS" node ${NODE_FLAGS:-} "$CLI" start --rundir "$W/rd" --db "$W/conf.json" --ring-size "$RING" --flow-cache-entries 4096 >"$W/log" 2>&1 &
  PID=$!
  while [ ! -S "$W/rd/sluice.ctl" ]; do sleep 0.05; done
  sleep 1
  r0=$(rss "$PID"); t0=$(ticks "$PID"); s=$(now)
  ip netns exec "$NS" node "$CLI" batch --rundir "$W/rd" "$W/batch"
  e=$(now); t1=$(ticks "$PID")
  sleep 2
  r1=$(rss "$PID")
  s2=$(now); kill -TERM "$PID"; wait "$PID" || true; e2=$(now); PID=""
  awk -v n="$N" -v p="$P" -v ring="$RING" -v r="$r" -v s="$s" -v e="$e" -v t="$((t1 - t0))" -v r0="$r0" -v r1="$r1" -v s2="$s2" -v e2="$e2" 'BEGIN {
    printf "round %d: %d bridges x %d AF_PACKET ports (ring %s): batch %.2f s wall, daemon CPU %.2f s; RSS %.1f MiB empty, +%.2f MiB per bridge; stop %.2f s\n",
      r, n, p, ring, e - s, t / 100, r0 / 1024, (r1 - r0) / 1024 / n, e2 - s2 }'
done
