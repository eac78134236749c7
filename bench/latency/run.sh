#!/usr/bin/env bash
# bench/latency/run.sh — `npm run bench:latency`: ping through the Linux bridge and through
# Sluice with busy polling off, at its default and with a long window, at several ping
# intervals, with the CPU Sluice used meanwhile and when idle. One run, one table.
#
# Why intervals: on this VM a thread that sleeps wakes up slowly and finds its caches cold,
# so a ping every 1 ms and a ping every 200 ms see different switches (bench/README.md
# "Latency" has the breakdown). The Linux bridge forwards in the sender's own system call
# and pays neither.
#
# Invariants:
# - the topology is bench/e2e's (topo.sh: A ── SW ── B in namespaces named with this run's
#   prefix), the forwarders are started and stopped by bench/e2e/switches.sh (by PID);
#   everything is removed on exit, failure and Ctrl-C;
# - CPU is Sluice's own (utime+stime of its process from /proc), over the ping series
#   ("busy") and over LAT_IDLE_SECONDS without traffic right after it ("idle").
#
# Environment: LAT_INTERVALS="0.001 0.01 0.05 0.2" (seconds between pings), LAT_COUNT=30
# (pings per interval), LAT_WINDOWS="0 200 100000" (--busy-poll values, µs),
# LAT_IDLE_SECONDS=3, E2E_NO_BUILD=1 (do not run tsc first).
set -u

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO_ROOT="$(cd "$HERE/../.." && pwd)"
E2E_PREFIX="sllat-$$-"
E2E_PIDS=""
E2E_TMP="$(mktemp -d /tmp/sluice-latency.XXXXXX)"
E2E_RESULTS="$E2E_TMP/results.tsv"
: >"$E2E_RESULTS"
LAT_INTERVALS="${LAT_INTERVALS:-0.001 0.01 0.05 0.2}"
LAT_COUNT="${LAT_COUNT:-30}"
LAT_WINDOWS="${LAT_WINDOWS:-0 200 100000}"
LAT_IDLE_SECONDS="${LAT_IDLE_SECONDS:-3}"

. "$REPO_ROOT/bench/e2e/topo.sh"
. "$REPO_ROOT/bench/e2e/measure.sh"
. "$REPO_ROOT/bench/e2e/switches.sh"

cleanup() {
  trap - EXIT INT TERM
  sw_sluice_stop >/dev/null 2>&1; sw_bridge_stop
  local pid
  for pid in $E2E_PIDS; do kill "$pid" 2>/dev/null || true; done
  topo_down
  rm -rf "$E2E_TMP"
}
trap cleanup EXIT
trap 'echo "interrupted: cleaning up" >&2; exit 130' INT TERM

if [ "$(id -u)" != 0 ]; then echo "bench:latency needs root (network namespaces)" >&2; exit 1; fi
bash "$REPO_ROOT/test/install-tools.sh" ip ping >&2 || { echo "bench:latency: installing its tools failed" >&2; exit 1; }

read -r load1 _ </proc/loadavg
echo "sluice latency bench: $(nproc) CPUs ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), kernel $(uname -r)," \
  "commit $(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'), load average $load1" >&2

# _cpu_ticks PID: utime + stime of the process, in clock ticks.
_cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
HZ=$(getconf CLK_TCK)

# series NAME PID: ping at each interval; PID (or "") is the process whose CPU is measured.
series() {
  local name="$1" pid="$2" iv out avg c0 c1 c2 t0 t1 t2
  for iv in $LAT_INTERVALS; do
    out="$E2E_TMP/ping.txt"
    t0=$(date +%s%N); c0=$([ -n "$pid" ] && _cpu_ticks "$pid" || echo 0)
    run_bg ip netns exec "$NS_A" timeout 60 ping -c "$LAT_COUNT" -i "$iv" -W 1 -q "$IP_B" >"$out" 2>/dev/null
    t1=$(date +%s%N); c1=$([ -n "$pid" ] && _cpu_ticks "$pid" || echo 0)
    avg=$(awk -F'/' '/^rtt/ { print $5 }' "$out")
    record "$name" "ping_ms@$iv" "${avg:-fail}"
    if [ -n "$pid" ]; then
      record "$name" "cpu_pct@$iv" "$(awk -v c=$((c1 - c0)) -v hz="$HZ" -v ns=$((t1 - t0)) 'BEGIN { printf "%.0f", 100 * c / hz / (ns / 1e9) }')"
    fi
  done
  if [ -n "$pid" ]; then
    t1=$(date +%s%N); c1=$(_cpu_ticks "$pid")
    run_bg sleep "$LAT_IDLE_SECONDS"
    t2=$(date +%s%N); c2=$(_cpu_ticks "$pid")
    record "$name" "cpu_pct@idle" "$(awk -v c=$((c2 - c1)) -v hz="$HZ" -v ns=$((t2 - t1)) 'BEGIN { printf "%.1f", 100 * c / hz / (ns / 1e9) }')"
  fi
}

topo_switch
echo "-- bridge" >&2
if sw_bridge_start && wait_ping; then series bridge ""; else echo "  bridge not available" >&2; fi
sw_bridge_stop
first=1
for w in $LAT_WINDOWS; do
  echo "-- sluice --busy-poll $w" >&2
  # build once (the first start), then reuse the build
  if [ $first = 0 ]; then E2E_NO_BUILD=1; fi
  first=0
  if SLUICE_ARGS="--busy-poll $w" sw_sluice_start && wait_ping; then
    series "sluice busy-poll=${w}us" "$SLUICE_PID"
  else
    echo "  sluice not available: $SW_REASON" >&2
  fi
  sw_sluice_stop >/dev/null 2>&1
done
(cd "$REPO_ROOT" && npx tsx "$HERE/report.ts" "$E2E_RESULTS")
