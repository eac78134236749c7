#!/usr/bin/env bash
# bench/overlay/run.sh — `npm run bench:overlay`: the overlay rows, all measured in one run on
# the same two-host topology (a fresh copy per row and round):
#
#   ns A [va] ── [sa] host H1: switch + tunnel ══ underlay veth u ══ host H2: switch + tunnel [sb] ── [vb] ns B
#
# Rows (OVL_ROWS, in this order by default):
#   kernel-vxlan      Linux bridge + kernel vxlan device on both hosts
#   ovs-vxlan|geneve|gre      Open vSwitch 3.1 netdev datapath, native tunneling, on both hosts
#   sluice-vxlan|geneve|gre   `sluice start` with a tunnel port on both hosts
# Each row measures ping (A → B), 64 B UDP floods with 1 and E2E_FLOWS flows, and iperf3 TCP
# with the VMs' default offloads on, then off (bench/e2e/measure.sh: the functions of
# bench:e2e). OVS's userspace datapath carries TCP only with the VMs' offloads off
# (test/interop/ovs-netdev.sh), so the ratios compare each row the way it works: the better
# of the two TCP figures.
#
# Invariants:
# - the same switch runs on both hosts of a row; VNI/key 100; the VMs' MTU is 1450 (1500
#   underlay minus the largest overhead of the three, Geneve/VXLAN's 50 bytes);
# - rounds (OVL_ROUNDS, default 3) run every row once each, in turn, so drift on the shared
#   2 cores hits all rows alike; the report gives the median and the min–max of the rounds;
# - needs root; everything it creates (namespaces prefixed sleovl-PID-, daemons by PID, temp
#   files) is removed on exit, on failure and on Ctrl-C.
#
# Environment: OVL_ROWS, OVL_ROUNDS=3, E2E_FLOWS=10000, FLOOD_SECONDS=3, TCP_SECONDS=4,
# PING_COUNT=20, E2E_NO_BUILD=1 (skip tsc), E2E_KEEP_LOGS=1 (keep the temp dir).
set -u

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO_ROOT="$(cd "$HERE/../.." && pwd)"
E2E_PREFIX="sleovl-$$-"
E2E_FLOWS="${E2E_FLOWS:-10000}"
FLOOD_SECONDS="${FLOOD_SECONDS:-3}"
TCP_SECONDS="${TCP_SECONDS:-4}"
OVL_ROUNDS="${OVL_ROUNDS:-3}"
OVL_ROWS="${OVL_ROWS:-kernel-vxlan ovs-vxlan ovs-geneve ovs-gre sluice-vxlan sluice-geneve sluice-gre}"
E2E_PIDS=""
E2E_TMP="$(mktemp -d /tmp/sluice-ovl.XXXXXX)"
E2E_RESULTS="$E2E_TMP/results.tsv"
: >"$E2E_RESULTS"

. "$REPO_ROOT/bench/e2e/topo.sh"
. "$REPO_ROOT/bench/e2e/measure.sh"
. "$HERE/hosts.sh"

cleanup() {
  trap - EXIT INT TERM
  hosts_stop
  local pid
  for pid in $E2E_PIDS; do kill "$pid" 2>/dev/null || true; done
  topo_down
  if [ "${E2E_KEEP_LOGS:-0}" = 1 ]; then echo "logs kept in $E2E_TMP" >&2; else rm -rf "$E2E_TMP"; fi
}
trap cleanup EXIT
trap 'echo "interrupted: cleaning up" >&2; exit 130' INT TERM

if [ "$(id -u)" != 0 ]; then echo "bench:overlay needs root (network namespaces)" >&2; exit 1; fi
bash "$REPO_ROOT/test/install-tools.sh" ip ethtool trafgen iperf3 ping ovs-vswitchd ovsdb-server ovsdb-tool ovs-vsctl ovs-appctl ovs-ofctl >&2 ||
  { echo "bench:overlay: installing its tools failed" >&2; exit 1; }
command -v node >/dev/null || { echo "bench:overlay needs node" >&2; exit 1; }
if [ "${E2E_NO_BUILD:-0}" != 1 ]; then
  # tsc still emits JavaScript when some unrelated file has type errors.
  "$REPO_ROOT/node_modules/.bin/tsc" -p "$REPO_ROOT/tsconfig.json" >"$E2E_TMP/build.log" 2>&1 || true
fi

echo "sluice overlay bench: $(nproc) CPUs, kernel $(uname -r), node $(node -v), commit" \
  "$(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'), $OVL_ROUNDS rounds of:" \
  "${FLOOD_SECONDS}s floods of 64 B frames (1 and $E2E_FLOWS flows), ${TCP_SECONDS}s iperf3, $PING_COUNT pings" >&2
read -r load1 _ </proc/loadavg
echo "load average before the run: $load1" >&2

for round in $(seq 1 "$OVL_ROUNDS"); do
  for row in $OVL_ROWS; do
    echo "-- round $round: $row" >&2
    topo_overlay
    HOST_REASON=""
    if hosts_start "$row"; then
      wait_ping || echo "  $row: B does not answer ping; measuring anyway" >&2
      ping_avg "$row"
      flood "$row" 1
      flood "$row" "$E2E_FLOWS"
      tcp "$row" on
      # and with the VMs' checksum offload (so TSO) off: OVS's userspace datapath needs it
      offloads "$NS_A" va off; offloads "$NS_B" vb off
      tcp "$row" off
    else
      echo "  $row not available: $HOST_REASON" >&2
      record "$row" status "not available: $HOST_REASON"
    fi
    hosts_stop
  done
done
topo_down

(cd "$REPO_ROOT" && npx tsx "$HERE/report.ts" "$E2E_RESULTS" "$E2E_FLOWS")
