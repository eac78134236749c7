#!/usr/bin/env bash
# bench/e2e/run.sh — `npm run bench:e2e`: one run that measures, on the same machine and in
# the same minutes, the paths A → forwarder → B for
#   plain (a bare veth pair: the generator's ceiling), sluice, bridge (Linux), ovs (OVS 3.1
#   userspace datapath), cfwd (the C reference forwarder, bench/e2e/cfwd.c),
# E2E_ROUNDS times each, and prints one table of medians (min–max) and the ratios of the
# medians Sluice/OVS, Sluice/bridge and Sluice/cfwd.
#
# Invariants:
# - needs root (namespaces); everything it creates (namespaces, veths, daemons, temp files)
#   is removed on exit, on failure and on Ctrl-C (trap);
# - each path gets a fresh topology and is measured with the same series (measure.sh), so
#   the figures of one run are comparable; across runs only the ratios are (LAB-NOTES: ±15 %);
# - the paths are interleaved: round r runs them rotated by r-1 (and reversed in even
#   rounds), so a slow minute of the machine does not fall on one path only;
# - the whole run is bounded: every step has a timeout (≈ 35 s per path and round: the
#   default 5 paths × 3 rounds take ≈ 9 min).
#
# Environment: E2E_PATHS="plain sluice bridge ovs cfwd" (subset/order), E2E_ROUNDS=3,
# E2E_FLOWS=10000,
# FLOOD_SECONDS=5, TCP_SECONDS=5, PING_COUNT=20, E2E_NO_BUILD=1 (do not run tsc for Sluice),
# E2E_KEEP_LOGS=1 (keep the temp dir: trafgen, iperf3, OVS and Sluice logs),
# E2E_RESULTS_OUT=FILE (also append the raw "path metric value" lines there, one line per
# figure and round: bench/ab/run.sh), E2E_BASE_ROOT=DIR (the path "base": Sluice from
# another built checkout, see switches.sh), CFWD_ARGS (options of cfwd, see cfwd.c),
# SLUICE_ARGS (extra `sluice start` flags for the paths sluice/base, e.g. "--busy-poll 0"),
# E2E_SLUICEX_ARGS, E2E_SLUICEX_PORT_OPTS, E2E_SLUICEX_NATIVE (the path sluicex, switches.sh).
set -u

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO_ROOT="$(cd "$HERE/../.." && pwd)"
E2E_PREFIX="sle2e-$$-"
E2E_FLOWS="${E2E_FLOWS:-10000}"
E2E_PATHS="${E2E_PATHS:-plain sluice bridge ovs cfwd}"
E2E_ROUNDS="${E2E_ROUNDS:-3}"
E2E_PIDS=""
E2E_TMP="$(mktemp -d /tmp/sluice-e2e.XXXXXX)"
E2E_RESULTS="$E2E_TMP/results.tsv"
: >"$E2E_RESULTS"

. "$HERE/topo.sh"
. "$HERE/measure.sh"
. "$HERE/switches.sh"

cleanup() {
  trap - EXIT INT TERM
  sw_sluice_stop; sw_ovs_stop; sw_cfwd_stop
  local pid
  for pid in $E2E_PIDS; do kill "$pid" 2>/dev/null || true; done
  topo_down
  if [ "${E2E_KEEP_LOGS:-0}" = 1 ]; then echo "logs kept in $E2E_TMP" >&2; else rm -rf "$E2E_TMP"; fi
}
trap cleanup EXIT
trap 'echo "interrupted: cleaning up" >&2; exit 130' INT TERM

if [ "$(id -u)" != 0 ]; then echo "bench:e2e needs root (network namespaces)" >&2; exit 1; fi
# The tools it runs, installed from test/tools.txt when missing (a fresh machine has none of
# trafgen, iperf3, ethtool, ovs-vswitchd; cc builds cfwd).
bash "$REPO_ROOT/test/install-tools.sh" cc ip ethtool trafgen iperf3 ping ovs-vswitchd ovsdb-server ovsdb-tool ovs-vsctl >&2 ||
  { echo "bench:e2e: installing its tools failed" >&2; exit 1; }
command -v node >/dev/null || { echo "bench:e2e needs node" >&2; exit 1; }

echo "sluice e2e bench: $(nproc) CPUs, kernel $(uname -r), node $(node -v)," \
  "${FLOOD_SECONDS}s floods of 64 B frames (1 and $E2E_FLOWS flows), ${TCP_SECONDS}s iperf3," \
  "$PING_COUNT pings" >&2
# Everything shares the two cores: say how busy the machine already is before we start.
read -r load1 _ </proc/loadavg
echo "load average before the run: $load1$(awk -v l="$load1" 'BEGIN{ if (l > 0.5) print " (busy: other processes compete for the CPUs, figures will be lower and noisier)" }')" >&2
# round_order R: the paths of round R (see the invariants).
round_order() {
  local -a p=($E2E_PATHS) out=()
  local n=${#p[@]} i
  for ((i = 0; i < n; i++)); do out+=("${p[$(((i + $1 - 1) % n))]}"); done
  if [ $(($1 % 2)) = 0 ]; then for ((i = n - 1; i >= 0; i--)); do printf '%s ' "${out[$i]}"; done
  else printf '%s ' "${out[@]}"; fi
}
for round in $(seq 1 "$E2E_ROUNDS"); do
  order="$(round_order "$round")"
  read -r load1 _ </proc/loadavg
  echo "== round $round of $E2E_ROUNDS: $order(load average $load1)" >&2
  record all load1 "$load1"
  for path in $order; do
    echo "-- $path" >&2
    if [ "$path" = plain ]; then
      topo_plain
      measure_all plain
      continue
    fi
    topo_switch
    SW_REASON=""
    if "sw_${path}_start"; then
      measure_all "$path"
    else
      echo "  $path not available: $SW_REASON" >&2
      record "$path" status "not available: $SW_REASON"
    fi
    "sw_${path}_stop"
  done
done
read -r load1 _ </proc/loadavg
echo "load average after the run: $load1" >&2
record all load1_after "$load1"
topo_down

if [ -n "${E2E_RESULTS_OUT:-}" ]; then cat "$E2E_RESULTS" >>"$E2E_RESULTS_OUT"; fi
(cd "$REPO_ROOT" && npx tsx "$HERE/report.ts" "$E2E_RESULTS" "$E2E_FLOWS" "$E2E_ROUNDS")
