# bench/overlay/hosts.sh — the two-host overlay topology and the switches on its hosts
# (sourced by run.sh after bench/e2e/topo.sh and measure.sh).
#
#   ns A [va 10.233.0.1, MTU 1450] ── [sa] ns H1 (U1 on u) ══ u ══ (U2 on u) ns H2 [sb] ── [vb 10.233.0.2] ns B
#
# Invariants:
# - every namespace is named with $E2E_PREFIX (topo_down removes them all), and every daemon
#   runs inside its host namespace and is stopped by the PID recorded here;
# - the underlay veth does not offload transmit checksums (as a wire behind a NIC delivers
#   complete checksums; see test/integration/overlay-lab.ts), the same for every row.

NS_H1="${E2E_PREFIX}h1"
NS_H2="${E2E_PREFIX}h2"
U1=172.31.90.1
U2=172.31.90.2
OVL_KEY=100
HOST_REASON=""
HOST_PIDS=""
OVS_HOST_DIRS=""

topo_overlay() {
  topo_down
  ip netns add "$NS_A"; ip netns add "$NS_B"; ip netns add "$NS_H1"; ip netns add "$NS_H2"
  ip link add va netns "$NS_A" type veth peer name sa netns "$NS_H1"
  ip link add vb netns "$NS_B" type veth peer name sb netns "$NS_H2"
  ip link add u netns "$NS_H1" type veth peer name u netns "$NS_H2"
  local ns
  for ns in "$NS_H1" "$NS_H2"; do
    ip -n "$ns" link set lo up
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
    ip netns exec "$ns" ethtool -K u tx off >/dev/null
  done
  ip -n "$NS_H1" addr add "$U1/24" dev u; ip -n "$NS_H1" link set u up; ip -n "$NS_H1" link set sa up
  ip -n "$NS_H2" addr add "$U2/24" dev u; ip -n "$NS_H2" link set u up; ip -n "$NS_H2" link set sb up
  ip -n "$NS_A" link set va mtu 1450; ip -n "$NS_B" link set vb mtu 1450
  _host_up "$NS_A" va "$MAC_A" "$IP_A" "$MAC_B" "$IP_B"
  _host_up "$NS_B" vb "$MAC_B" "$IP_B" "$MAC_A" "$IP_A"
  _sink_udp
}

# hosts_start ROW: the row's switch on both hosts; non-zero with HOST_REASON when it cannot run.
hosts_start() {
  local kind="${1%%-*}" proto="${1#*-}"
  case "$kind" in
    kernel) _kernel_host "$NS_H1" sa "$U1" "$U2" && _kernel_host "$NS_H2" sb "$U2" "$U1" ;;
    sluice) _sluice_host "$NS_H1" sa "$proto" "$U1" "$U2" && _sluice_host "$NS_H2" sb "$proto" "$U2" "$U1" ;;
    ovs) _ovs_host "$NS_H1" sa "$proto" "$U1" "$U2" && _ovs_host "$NS_H2" sb "$proto" "$U2" "$U1" ;;
    *) HOST_REASON="unknown row $1"; false ;;
  esac
}

hosts_stop() {
  local pid host
  for pid in $HOST_PIDS; do
    ovs_netdev_stop_pid "$pid"
    wait "$pid" 2>/dev/null; forget "$pid"
  done
  HOST_PIDS=""
  for host in $OVS_HOST_DIRS; do ovs_host_stop "$host"; done
  OVS_HOST_DIRS=""
}

# ---- Linux: a bridge joining the VM port and a vxlan device (VNI 100, UDP 4789).
_kernel_host() {
  local ns="$1" port="$2" local_ip="$3" remote="$4"
  ip -n "$ns" link add br0 type bridge stp_state 0 &&
    ip -n "$ns" link add vx0 type vxlan id "$OVL_KEY" local "$local_ip" remote "$remote" dstport 4789 &&
    ip -n "$ns" link set vx0 master br0 && ip -n "$ns" link set "$port" master br0 &&
    ip -n "$ns" link set vx0 up && ip -n "$ns" link set br0 up ||
    { HOST_REASON="could not build the bridge and vxlan device in $ns"; return 1; }
}

# ---- Sluice: `sluice start` in the host with the VM port and one tunnel port, standalone
# (NORMAL: learns MACs behind the tunnel port), a private rundir per host.
_sluice_host() {
  local ns="$1" port="$2" proto="$3" local_ip="$4" remote="$5"
  local main="$REPO_ROOT/dist/src/cli/main.js" dir="$E2E_TMP/sluice-$ns" pid
  [ -f "$main" ] || { HOST_REASON="not built ($main missing; see npm run build)"; return 1; }
  mkdir -p "$dir"
  ip netns exec "$ns" node "$main" start --bridge br0 --port "$port" \
    --port "$proto:t0,remote_ip=$remote,local_ip=$local_ip,key=$OVL_KEY" \
    --fail-mode standalone --rundir "$dir" >"$dir/log" 2>&1 &
  pid=$!; HOST_PIDS="$HOST_PIDS $pid"; E2E_PIDS="$E2E_PIDS $pid"
  local i
  for i in $(seq 1 100); do
    grep -q 'bridge started' "$dir/log" 2>/dev/null && return 0
    if ! kill -0 "$pid" 2>/dev/null; then break; fi
    run_bg sleep 0.1
  done
  HOST_REASON="sluice in $ns did not start: $(tail -n 1 "$dir/log" | cut -c1-120)"
  return 1
}

# ---- Open vSwitch 3.1 netdev with native tunneling (test/interop/ovs-netdev.sh: br-phy
# holds the underlay and its address, br-int the VM port and the tunnel port, NORMAL).
. "$REPO_ROOT/test/interop/ovs-netdev.sh"
_ovs_host() {
  local ns="$1" port="$2" proto="$3" local_ip="$4" remote="$5"
  local dir="$E2E_TMP/ovs-$ns"
  OVS_HOST_DIRS="$OVS_HOST_DIRS $dir"
  ovs_netdev_start "$ns" "$dir" "$proto" "$local_ip/24" "$remote" "$OVL_KEY" "$port" 2>"$E2E_TMP/ovs-start.log" ||
    { HOST_REASON="OVS did not start in $ns: $(head -n 1 "$E2E_TMP/ovs-start.log" | cut -c1-120)"; return 1; }
}
# OVS's AF_PACKET sockets drop under load (the fixture's header): say how many, per host.
ovs_host_stop() {
  local dir="$1" ns="${1##*/ovs-}"
  local drops
  drops=$(ip netns exec "$ns" ss -0 -m -p 2>/dev/null | grep -o 'd[0-9]*)' | tr -dc '0-9\n' | awk '{s+=$1} END{print s+0}')
  [ -n "$drops" ] && echo "  OVS in ${ns#$E2E_PREFIX}: AF_PACKET socket drops $drops" >&2
  ovs_netdev_stop "$dir" 2>/dev/null || true
}
