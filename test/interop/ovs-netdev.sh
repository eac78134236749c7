#!/bin/bash
# test/interop/ovs-netdev.sh — a private Open vSwitch (userspace "netdev" datapath) as a
# tunnel endpoint inside one network namespace: the peer of Sluice's vxlan, geneve and gre
# ports in test/interop/overlay-ovs.test.ts, and of the overlay benchmarks.
#
# What it builds, inside NS (OVS native tunneling, as in OVS's
# Documentation/howto/userspace-tunneling.rst):
#
#   PORT... ──┐                                  ┌── br-phy (internal TAP, LOCAL/PREFIX)
#             br-int ── TYPE tunnel port ══ (native tunnel push/pop) ══ br-phy ── UNDERLAY ══ wire
#   flows: NORMAL on both bridges
#
# The underlay interface (UNDERLAY, default `u`) is moved into br-phy and its address to
# br-phy's internal port, so OVS resolves the remote by its own route table
# (ovs/route/add) and ARP cache (tnl/arp/show), learnt from the ARP replies NORMAL passes.
#
# Use from bash, either sourced:
#
#   . test/interop/ovs-netdev.sh
#   ovs_netdev_start NS DIR TYPE LOCAL/PREFIX REMOTE KEY PORT... || exit 1
#   ovs_netdev_ctl DIR ovs-appctl tnl/arp/show       # any OVS tool against this instance
#   ovs_netdev_stop DIR
#
# or as a command with the same arguments:
#
#   test/interop/ovs-netdev.sh start NS DIR vxlan 172.31.51.2/24 172.31.51.1 100 p2
#   test/interop/ovs-netdev.sh ctl DIR ovs-appctl dpctl/dump-flows
#   test/interop/ovs-netdev.sh stop DIR
#
#   TYPE    vxlan | geneve | gre (OVS Interface type; the port is named tun0)
#   KEY     VNI / GRE key (options:key); "none" leaves it out
#   Environment: OVS_UNDERLAY (default u); OVS_TUN_OPTIONS extra `options:K=V` words for
#   the tunnel port (e.g. "options:csum=true"); OVS_TSO=1 sets userspace-tso-enable.
#
# What OVS 3.1's userspace datapath needs from the caller (found with this fixture):
#  - the far end of each PORT veth (the VM's side) with `ethtool -K DEV tx off`: OVS reads
#    veths with AF_PACKET, which gives it partial checksums as they are and GSO frames it
#    drops; OVS's own tests do the same (CONFIGURE_VETH_OFFLOADS). OVS_TSO=1 does not help
#    here: 3.1 then drops such packets at the tunnel ("Tunneling packets with HW offload
#    flags is not supported", coverage netdev_push_header_drops);
#  - under load, OVS's AF_PACKET socket on the underlay overflows (its receive buffer is
#    net.core.rmem_default) and TCP retransmits: `ip netns exec NS ss -0 -m -p` shows the
#    drops (skmem d...). A benchmark should report them with its numbers.
#
# Invariants
#  - Everything OVS keeps (database, sockets, pidfiles, logs) is under DIR: OVS_RUNDIR,
#    OVS_DBDIR, OVS_LOGDIR and OVS_SYSCONFDIR point there, as bench/e2e/switches.sh does,
#    so other OVS instances on the machine (tests, benchmarks, a system OVS) are not seen.
#  - ovs-vswitchd runs inside NS (`ip netns exec`), so its TAP devices (br-int, br-phy,
#    ovs-netdev) and AF_PACKET sockets are in NS and vanish with it.
#  - Stop kills only the PIDs in DIR's pidfiles (SIGTERM, then SIGKILL after ~3 s), never
#    by name; it is safe to call twice or after a failed start.
#  - A failed start returns non-zero after printing the reason and the tail of the logs on
#    stderr; the caller still calls stop. Both work in a caller with `set -euo pipefail`.

OVS_NETDEV_SCHEMA=/usr/share/openvswitch/vswitch.ovsschema

# ovs_netdev_ctl DIR CMD...: CMD with this instance's OVS_* environment (ovs-vsctl,
# ovs-appctl and ovs-ofctl then find its sockets).
ovs_netdev_ctl() {
  local dir="$1"; shift
  env OVS_RUNDIR="$dir/run" OVS_DBDIR="$dir/db" OVS_LOGDIR="$dir/log" OVS_SYSCONFDIR="$dir/etc" "$@"
}

# ovs_netdev_log DIR [N]: the last N (default 30) lines of each OVS log, for a failure.
ovs_netdev_log() {
  local dir="$1" n="${2:-30}" f
  for f in "$dir"/log/*.log; do
    [ -f "$f" ] || continue
    echo "---- $f (last $n lines)"
    tail -n "$n" "$f"
  done
}

_ovs_netdev_fail() {
  echo "ovs-netdev: $2" >&2
  ovs_netdev_log "$1" >&2
  return 1
}

# ovs_netdev_daemons NS DIR: a fresh database under DIR, ovsdb-server and ovs-vswitchd
# running inside NS (no bridge yet; OVS_TSO=1 sets userspace-tso-enable first). Also the
# start of bench/e2e's OVS row; ovs_netdev_stop DIR stops them.
ovs_netdev_daemons() {
  local ns="$1" dir="$2"
  local -x OVS_RUNDIR="$dir/run" OVS_DBDIR="$dir/db" OVS_LOGDIR="$dir/log" OVS_SYSCONFDIR="$dir/etc"
  mkdir -p "$dir/run" "$dir/db" "$dir/log" "$dir/etc"
  rm -f "$dir/db/conf.db"
  ovsdb-tool create "$dir/db/conf.db" "$OVS_NETDEV_SCHEMA" ||
    { _ovs_netdev_fail "$dir" "ovsdb-tool create failed"; return 1; }
  ip netns exec "$ns" ovsdb-server "$dir/db/conf.db" --remote="punix:$dir/run/db.sock" \
    --pidfile="$dir/run/ovsdb-server.pid" --log-file="$dir/log/ovsdb-server.log" \
    --detach --no-chdir 2>>"$dir/log/console.log" ||
    { _ovs_netdev_fail "$dir" "ovsdb-server did not start"; return 1; }
  ovs-vsctl --timeout=20 --no-wait init || { _ovs_netdev_fail "$dir" "ovs-vsctl init failed"; return 1; }
  if [ "${OVS_TSO:-0}" = 1 ]; then
    ovs-vsctl --timeout=20 --no-wait set Open_vSwitch . other_config:userspace-tso-enable=true ||
      { _ovs_netdev_fail "$dir" "could not set userspace-tso-enable"; return 1; }
  fi
  ip netns exec "$ns" ovs-vswitchd "unix:$dir/run/db.sock" \
    --pidfile="$dir/run/ovs-vswitchd.pid" --log-file="$dir/log/ovs-vswitchd.log" \
    --detach --no-chdir 2>>"$dir/log/console.log" ||
    { _ovs_netdev_fail "$dir" "ovs-vswitchd did not start"; return 1; }
}

# ovs_netdev_start NS DIR TYPE LOCAL/PREFIX REMOTE KEY PORT...
ovs_netdev_start() {
  if [ $# -lt 6 ]; then
    echo "usage: ovs_netdev_start NS DIR vxlan|geneve|gre LOCAL/PREFIX REMOTE KEY|none [PORT...]" >&2
    return 2
  fi
  local ns="$1" dir="$2" type="$3" local_cidr="$4" remote="$5" key="$6"; shift 6
  local underlay="${OVS_UNDERLAY:-u}" local_ip="${local_cidr%/*}" prefix="${local_cidr#*/}" p mac i ofport err rpf arpi
  # the OVS tools below (and the daemons) find this instance through these, and only here
  local -x OVS_RUNDIR="$dir/run" OVS_DBDIR="$dir/db" OVS_LOGDIR="$dir/log" OVS_SYSCONFDIR="$dir/etc"
  if [ "$type" != vxlan ] && [ "$type" != geneve ] && [ "$type" != gre ]; then
    echo "ovs-netdev: type $type is not vxlan, geneve or gre" >&2
    return 2
  fi
  [ "$prefix" != "$local_cidr" ] || { echo "ovs-netdev: LOCAL needs a prefix (e.g. $local_ip/24)" >&2; return 2; }
  mkdir -p "$dir"
  # what stop undoes besides the daemons: the address move and the two sysctls below
  rpf=$(ip netns exec "$ns" sysctl -n "net.ipv4.conf.$underlay.rp_filter" 2>/dev/null) || rpf=0
  arpi=$(ip netns exec "$ns" sysctl -n "net.ipv4.conf.$underlay.arp_ignore" 2>/dev/null) || arpi=0
  printf '%s %s %s %s %s\n' "$ns" "$underlay" "$local_cidr" "$rpf" "$arpi" >"$dir/undo"

  ovs_netdev_daemons "$ns" "$dir" || return 1

  # br-phy: the underlay. Its internal port takes the underlay's MAC (OVS's userspace
  # tunneling howto), so the peer's ARP cache and the wire keep seeing the same address.
  mac=$(ip -n "$ns" -o link show "$underlay" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p') || true
  [ -n "$mac" ] || { _ovs_netdev_fail "$dir" "no interface $underlay in $ns"; return 1; }
  ovs-vsctl --timeout=20 add-br br-phy -- set bridge br-phy datapath_type=netdev \
    other_config:hwaddr="$mac" -- add-port br-phy "$underlay" ||
    { _ovs_netdev_fail "$dir" "ovs-vsctl add-br br-phy failed"; return 1; }
  ip -n "$ns" addr flush dev "$underlay" &&
    ip -n "$ns" addr add "$local_cidr" dev br-phy &&
    ip -n "$ns" link set br-phy up ||
    { _ovs_netdev_fail "$dir" "could not move $local_cidr from $underlay to br-phy"; return 1; }
  # OVS reads the underlay with AF_PACKET, which does not take the frames away from the
  # kernel: NS's own stack would still receive the tunnel packets addressed to LOCAL (any
  # local address is accepted on any interface) and answer them with ICMP port or protocol
  # unreachable, and answer ARP on the underlay twice. Strict reverse-path filtering (LOCAL's
  # subnet is routed via br-phy, not the underlay) and arp_ignore=1 (no address on the
  # underlay) keep the kernel out of it, as a DPDK port would.
  ip netns exec "$ns" sysctl -qw "net.ipv4.conf.$underlay.rp_filter=1" "net.ipv4.conf.$underlay.arp_ignore=1" ||
    { _ovs_netdev_fail "$dir" "sysctl on $underlay failed"; return 1; }
  # OVS reads the namespace's routes itself; the explicit route makes the tunnel's next
  # hop independent of that (an existing equal route is not an error).
  ovs-appctl ovs/route/add "$remote/32" br-phy >/dev/null 2>&1 || true
  ovs-appctl ovs/route/show | grep -q "$remote" ||
    { _ovs_netdev_fail "$dir" "no OVS route to $remote (ovs-appctl ovs/route/show)"; return 1; }

  # br-int: the VM ports and the tunnel port.
  local opts=(options:remote_ip="$remote" options:local_ip="$local_ip")
  [ "$key" = none ] || opts+=(options:key="$key")
  # shellcheck disable=SC2206 # OVS_TUN_OPTIONS is a list of words on purpose
  opts+=(${OVS_TUN_OPTIONS:-})
  local add=(add-br br-int -- set bridge br-int datapath_type=netdev
    -- add-port br-int tun0 -- set interface tun0 type="$type" "${opts[@]}")
  for p in "$@"; do add+=(-- add-port br-int "$p"); done
  ovs-vsctl --timeout=20 "${add[@]}" || { _ovs_netdev_fail "$dir" "ovs-vsctl add-br br-int failed"; return 1; }
  ip -n "$ns" link set br-int up || { _ovs_netdev_fail "$dir" "br-int did not come up"; return 1; }

  # Every interface attached (ofport assigned, no error) before we return.
  for p in "$underlay" tun0 "$@"; do
    for i in $(seq 1 50); do
      ofport=$(ovs-vsctl --timeout=20 get interface "$p" ofport 2>/dev/null) || true
      [ "${ofport:-0}" -gt 0 ] 2>/dev/null && break
      sleep 0.1
    done
    err=$(ovs-vsctl --timeout=20 get interface "$p" error 2>/dev/null) || true
    if [ "$i" = 50 ] || { [ -n "$err" ] && [ "$err" != "[]" ]; }; then
      _ovs_netdev_fail "$dir" "interface $p not attached: ${err:-no ofport}"
      return 1
    fi
  done
}

# ovs_netdev_stop_pid PID: SIGTERM, then SIGKILL after ~3 s (also bench's other daemons).
ovs_netdev_stop_pid() {
  local pid="$1" i
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || return 0
  for i in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}

# ovs_netdev_stop DIR: stops the daemons started with DIR (vswitchd first), by pidfile,
# then removes the TAP devices vswitchd leaves behind in NS (they persist), gives the
# underlay address back to the underlay interface and resets its sysctls, so NS is as
# start found it.
ovs_netdev_stop() {
  local dir="$1" f ns underlay cidr rpf arpi
  [ -n "$dir" ] || return 0
  for f in ovs-vswitchd ovsdb-server; do
    if [ -f "$dir/run/$f.pid" ]; then ovs_netdev_stop_pid "$(cat "$dir/run/$f.pid")"; fi
    rm -f "$dir/run/$f.pid"
  done
  if [ -f "$dir/undo" ] && read -r ns underlay cidr rpf arpi <"$dir/undo"; then
    for f in br-int br-phy ovs-netdev; do ip -n "$ns" link del "$f" 2>/dev/null || true; done
    ip -n "$ns" addr replace "$cidr" dev "$underlay" 2>/dev/null || true
    ip netns exec "$ns" sysctl -qw "net.ipv4.conf.$underlay.rp_filter=$rpf" "net.ipv4.conf.$underlay.arp_ignore=$arpi" 2>/dev/null || true
    rm -f "$dir/undo"
  fi
  return 0
}

# As a command: ovs-netdev.sh start|stop|ctl|log ARGS...
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  cmd="${1:-}"; shift || true
  if [ "$cmd" = start ]; then ovs_netdev_start "$@"
  elif [ "$cmd" = stop ]; then ovs_netdev_stop "$@"
  elif [ "$cmd" = ctl ]; then ovs_netdev_ctl "$@"
  elif [ "$cmd" = log ]; then ovs_netdev_log "$@"
  else
    echo "usage: $0 start NS DIR TYPE LOCAL/PREFIX REMOTE KEY [PORT...] | stop DIR | ctl DIR CMD... | log DIR [N]" >&2
    exit 2
  fi
fi
