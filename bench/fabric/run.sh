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
cleanup() {
  # a run cut short leaves Mininet nodes and the daemon: mn -c in the namespace, /tmp private
  if [ -n "$(ls "$WORK/run" 2>/dev/null)" ]; then
    ip netns exec "$NS" sh -c "mount -t tmpfs fabric /tmp && OVS_RUNDIR=$WORK/no-ovs SLUICE_MN_RUNROOT=$WORK/run exec mn -c" >/dev/null 2>&1 || true
  fi
  ip netns del "$NS" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
ip netns add "$NS"
ip -n "$NS" link set lo up
ip netns exec "$NS" env SLUICE_MN_RUNROOT="$WORK/run" SLUICE_MN_LOGDIR="$WORK" \
  /usr/bin/python3 bench/fabric/fabric.py "$@"
