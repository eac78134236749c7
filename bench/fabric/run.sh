#!/usr/bin/env bash
# npm run bench:fabric [-- TOPOLOGY...]   (root; not part of CI)
# Mininet fabrics of Sluice switches under os-ken's fabric app (bench/fabric/fabric.py), all
# inside one private network namespace (removed at exit, also on failure), with a private
# Sluice runroot and log directory. Topologies: tree-3-4 leafspine-4x16 fattree-4 torus-8x8.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash test/install-tools.sh mn osken-manager >/dev/null
npm run build >/dev/null

NS="slfab$$"
WORK="$(mktemp -d /tmp/sluice-fabric-XXXXXX)"
# The kernel's ARP table is one for all network namespaces (gc_thresh3 entries, 1024 by
# default), and a pingall over 64 hosts makes 2 x 64 x 63 entries within seconds: past the
# limit a host's ping fails with ENOBUFS before any frame leaves it ("neighbor table
# overflow!" in dmesg). Mininet's own start-up (fixLimits) raises the limits to 4096/8192/
# 16384 when mn runs in the root namespace; inside this script's namespace it cannot (the
# sysctls exist only in the root one), so the script does it and puts the old values back.
NEIGH=/proc/sys/net/ipv4/neigh/default
NEIGH_OLD="$(cat $NEIGH/gc_thresh1 $NEIGH/gc_thresh2 $NEIGH/gc_thresh3)"
restore_neigh() {
  set -- $NEIGH_OLD
  echo "$3" >$NEIGH/gc_thresh3; echo "$2" >$NEIGH/gc_thresh2; echo "$1" >$NEIGH/gc_thresh1
}
cleanup() {
  restore_neigh
  # a run cut short leaves Mininet nodes and the daemon: mn -c in the namespace, /tmp private
  if [ -n "$(ls "$WORK/run" 2>/dev/null)" ]; then
    ip netns exec "$NS" sh -c "mount -t tmpfs fabric /tmp && OVS_RUNDIR=$WORK/no-ovs SLUICE_MN_RUNROOT=$WORK/run exec mn -c" >/dev/null 2>&1 || true
  fi
  ip netns del "$NS" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
echo 16384 >$NEIGH/gc_thresh3; echo 8192 >$NEIGH/gc_thresh2; echo 4096 >$NEIGH/gc_thresh1
ip netns add "$NS"
ip -n "$NS" link set lo up
ip netns exec "$NS" env SLUICE_MN_RUNROOT="$WORK/run" SLUICE_MN_LOGDIR="$WORK" \
  /usr/bin/python3 bench/fabric/fabric.py "$@"
