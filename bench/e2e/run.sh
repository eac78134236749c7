#!/usr/bin/env bash
# bench/e2e/run.sh — `npm run bench:e2e`: one run that measures, on the same machine and in
# the same minutes, the paths A → forwarder → B for
#   plain (a bare veth pair: the generator's ceiling), sluice, bridge (Linux), ovs (OVS 3.1
#   userspace datapath), and prints one table and the ratios Sluice/OVS and Sluice/bridge.
#
# Invariants:
# - needs root (namespaces); everything it creates (namespaces, veths, daemons, temp files)
#   is removed on exit, on failure and on Ctrl-C (trap);
# - each path gets a fresh topology and is measured with the same series (measure.sh), so
#   the figures of one run are comparable; across runs only the ratios are (LAB-NOTES: ±15 %);
# - the whole run is bounded: every step has a timeout (≈ 30 s per path, < 3 min in all).
#
# Environment: E2E_PATHS="plain sluice bridge ovs" (subset/order), E2E_FLOWS=10000,
# FLOOD_SECONDS=5, TCP_SECONDS=5, PING_COUNT=20, E2E_NO_BUILD=1 (do not run tsc for Sluice),
# E2E_KEEP_LOGS=1 (keep the temp dir: trafgen, iperf3, OVS and Sluice logs),
# E2E_RESULTS_OUT=FILE (also append the raw "path metric value" lines there: bench/ab.sh),
# E2E_BASE_ROOT=DIR (the path "base": Sluice from another built checkout, see switches.sh).
set -u

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO_ROOT="$(cd "$HERE/../.." && pwd)"
E2E_PREFIX="sle2e-$$-"
E2E_FLOWS="${E2E_FLOWS:-10000}"
E2E_PATHS="${E2E_PATHS:-plain sluice bridge ovs}"
E2E_PIDS=""
E2E_TMP="$(mktemp -d /tmp/sluice-e2e.XXXXXX)"
E2E_RESULTS="$E2E_TMP/results.tsv"
: >"$E2E_RESULTS"

. "$HERE/topo.sh"
. "$HERE/measure.sh"
. "$HERE/switches.sh"

cleanup() {
  trap - EXIT INT TERM
  sw_sluice_stop; sw_ovs_stop
  local pid
  for pid in $E2E_PIDS; do kill "$pid" 2>/dev/null || true; done
  topo_down
  if [ "${E2E_KEEP_LOGS:-0}" = 1 ]; then echo "logs kept in $E2E_TMP" >&2; else rm -rf "$E2E_TMP"; fi
}
trap cleanup EXIT
trap 'echo "interrupted: cleaning up" >&2; exit 130' INT TERM

if [ "$(id -u)" != 0 ]; then echo "bench:e2e needs root (network namespaces)" >&2; exit 1; fi
# The tools it runs, installed from test/tools.txt when missing (a fresh machine has none of
# trafgen, iperf3, ethtool, ovs-vswitchd).
bash "$REPO_ROOT/test/install-tools.sh" ip ethtool trafgen iperf3 ping ovs-vswitchd ovsdb-server ovsdb-tool ovs-vsctl >&2 ||
  { echo "bench:e2e: installing its tools failed" >&2; exit 1; }
command -v node >/dev/null || { echo "bench:e2e needs node" >&2; exit 1; }

echo "sluice e2e bench: $(nproc) CPUs, kernel $(uname -r), node $(node -v)," \
  "${FLOOD_SECONDS}s floods of 64 B frames (1 and $E2E_FLOWS flows), ${TCP_SECONDS}s iperf3," \
  "$PING_COUNT pings" >&2
# Everything shares the two cores: say how busy the machine already is before we start.
read -r load1 _ </proc/loadavg
echo "load average before the run: $load1$(awk -v l="$load1" 'BEGIN{ if (l > 0.5) print " (busy: other processes compete for the CPUs, figures will be lower and noisier)" }')" >&2
for path in $E2E_PATHS; do
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
topo_down

if [ -n "${E2E_RESULTS_OUT:-}" ]; then cat "$E2E_RESULTS" >>"$E2E_RESULTS_OUT"; fi
(cd "$REPO_ROOT" && npx tsx "$HERE/report.ts" "$E2E_RESULTS" "$E2E_FLOWS")
