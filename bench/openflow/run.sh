#!/usr/bin/env bash
# bench/openflow/run.sh — `npm run bench:openflow`: OpenFlow control-path figures of Sluice
# and Open vSwitch (userspace datapath) in one run; the measuring is bench/openflow.bench.ts.
#
#   ns A [va 10.234.0.1] ── [sa] ns SW [sb] ── [vb 10.234.0.2] ns B
#                              │
#        switch under test (Sluice, then OVS) ── tcp:127.0.0.1:$OFB_CTL_PORT ── controller
#                                                   (the benchmark itself, also in ns SW)
#
# Invariants:
# - needs root (namespaces). Everything it creates (three namespaces named sleof-$$-*, the
#   veths inside them, the daemons, the temp dir) is removed on exit, on failure and on
#   Ctrl-C (trap); daemons are stopped by PID, never by name.
# - bounded: the benchmark process gets `timeout 280` (< 5 minutes in all).
#
# Environment: OFB_SWITCHES="sluice ovs", OFB_RULES=100000, OFB_SAMPLES=200,
# OFB_KEEP_LOGS=1 (keep the temp dir with the Sluice and OVS logs).
set -u
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO_ROOT="$(cd "$HERE/../.." && pwd)"
PREFIX="sleof-$$-"
export OFB_NS_A="${PREFIX}a" OFB_NS_B="${PREFIX}b"
NS_SW="${PREFIX}sw"
export OFB_IF1=sa OFB_IF2=sb OFB_IP_B=10.234.0.2
export OFB_TMP="$(mktemp -d /tmp/sluice-ofbench.XXXXXX)"
export OFB_CTL_PORT="${OFB_CTL_PORT:-16653}"
BENCH_PID=""

cleanup() {
  trap - EXIT INT TERM
  local f
  [ -n "$BENCH_PID" ] && kill "$BENCH_PID" 2>/dev/null
  # The benchmark stops its switches itself; this is the fallback if it was killed.
  for f in "$OFB_TMP"/ovs/run/ovs-vswitchd.pid "$OFB_TMP"/ovs/run/ovsdb-server.pid; do
    [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
  done
  # Anything still running in the switch namespace was started by this run (Sluice's child).
  for f in $(ip netns pids "$NS_SW" 2>/dev/null); do kill "$f" 2>/dev/null; done
  sleep 0.3
  for ns in "$OFB_NS_A" "$OFB_NS_B" "$NS_SW"; do ip netns del "$ns" 2>/dev/null; done
  if [ "${OFB_KEEP_LOGS:-0}" = 1 ]; then echo "logs kept in $OFB_TMP" >&2; else rm -rf "$OFB_TMP"; fi
}
trap cleanup EXIT
trap 'echo "interrupted: cleaning up" >&2; exit 130' INT TERM

if [ "$(id -u)" != 0 ]; then echo "bench:openflow needs root (network namespaces)" >&2; exit 1; fi
bash "$(dirname "$0")/../../test/install-tools.sh" ip sysctl ovs-vswitchd ovsdb-server ovsdb-tool ovs-vsctl >&2 ||
  echo "installing openvswitch-switch failed: the OVS column will fail" >&2

host_ns() { # NS IF MAC IP PEER_MAC PEER_IP
  ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n "$1" link set lo up
  ip -n "$1" link set "$2" address "$3"
  ip -n "$1" addr add "$4/24" dev "$2"
  ip -n "$1" link set "$2" up
  # Checksum offload off (LAB-NOTES): a frame read over AF_PACKET would otherwise carry a
  # partial UDP checksum, and B would drop the packet-out'd copy as corrupt.
  ip netns exec "$1" ethtool -K "$2" tx off rx off >/dev/null 2>&1 || true
  # Static neighbour: the probes must not wait for ARP through the switch.
  ip -n "$1" neigh replace "$6" lladdr "$5" dev "$2" nud permanent
}
set -e
ip netns add "$OFB_NS_A"; ip netns add "$OFB_NS_B"; ip netns add "$NS_SW"
ip netns exec "$NS_SW" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip link add va netns "$OFB_NS_A" type veth peer name sa netns "$NS_SW"
ip link add vb netns "$OFB_NS_B" type veth peer name sb netns "$NS_SW"
ip -n "$NS_SW" link set lo up; ip -n "$NS_SW" link set sa up; ip -n "$NS_SW" link set sb up
host_ns "$OFB_NS_A" va 02:5e:00:01:0a:01 10.234.0.1 02:5e:00:01:0b:01 10.234.0.2
host_ns "$OFB_NS_B" vb 02:5e:00:01:0b:01 10.234.0.2 02:5e:00:01:0a:01 10.234.0.1
set +e

echo "sluice bench:openflow: $(nproc) CPUs, load average $(cut -d" " -f1-3 /proc/loadavg), kernel $(uname -r), node $(node -v), ${OFB_RULES:-100000} rules, ${OFB_SAMPLES:-200} probes" >&2
cd "$REPO_ROOT"
timeout 280 ip netns exec "$NS_SW" node --import tsx bench/openflow.bench.ts &
BENCH_PID=$!
wait "$BENCH_PID"; rc=$?
BENCH_PID=""
exit "$rc"
