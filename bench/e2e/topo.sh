# bench/e2e/topo.sh — namespaces and veths for the end-to-end benchmark (sourced by run.sh).
#
# Topology, one fresh copy per measured path, so that no state (ARP, MAC tables, qdiscs,
# offload settings) leaks from one path into the next:
#
#   plain:   ns A [va] ───────────────────────────── [vb] ns B
#   switch:  ns A [va] ── [sa] ns SW (forwarder) [sb] ── [vb] ns B
#
# Invariants:
# - every namespace name starts with $E2E_PREFIX (unique per run), so cleanup can find all of
#   them and never touches anything it did not create;
# - veth ends are created directly inside their namespaces: nothing appears in the root
#   namespace, so parallel runs and other tests cannot clash on interface names;
# - MACs and IPs are fixed so that the traffic generator can address B without ARP.

NS_A="${E2E_PREFIX}a"
NS_B="${E2E_PREFIX}b"
NS_SW="${E2E_PREFIX}sw"
MAC_A=02:5e:00:00:0a:01
MAC_B=02:5e:00:00:0b:01
IP_A=10.233.0.1
IP_B=10.233.0.2
IP_SINK=10.233.0.99   # flood destination: routed to B by MAC, owned by nobody

# topo_down: remove every namespace of this run (and with it every veth end inside it).
topo_down() {
  local ns
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^${E2E_PREFIX}" || true); do
    ip netns del "$ns" 2>/dev/null || true
  done
}

# _host_up NS IF MAC IP PEER_MAC PEER_IP: address one host end and pin its neighbour.
_host_up() {
  ip -n "$1" link set "$2" address "$3"
  ip -n "$1" addr add "$4/24" dev "$2"
  ip -n "$1" link set lo up
  ip -n "$1" link set "$2" up
  # Static neighbour: the flood must not depend on ARP through the forwarder.
  ip -n "$1" neigh replace "$6" lladdr "$5" dev "$2" nud permanent
}

# topo_plain: A and B on one veth pair (the generator's ceiling).
topo_plain() {
  topo_down
  ip netns add "$NS_A"; ip netns add "$NS_B"
  ip link add va netns "$NS_A" type veth peer name vb netns "$NS_B"
  _host_up "$NS_A" va "$MAC_A" "$IP_A" "$MAC_B" "$IP_B"
  _host_up "$NS_B" vb "$MAC_B" "$IP_B" "$MAC_A" "$IP_A"
  _sink_udp
}

# topo_switch: A ── SW ── B; the forwarder's ports are sa and sb in $NS_SW (left down:
# the forwarder under test brings them up its own way, see switches.sh).
topo_switch() {
  topo_down
  ip netns add "$NS_A"; ip netns add "$NS_B"; ip netns add "$NS_SW"
  ip link add va netns "$NS_A" type veth peer name sa netns "$NS_SW"
  ip link add vb netns "$NS_B" type veth peer name sb netns "$NS_SW"
  ip -n "$NS_SW" link set lo up
  ip -n "$NS_SW" link set sa up
  ip -n "$NS_SW" link set sb up
  _host_up "$NS_A" va "$MAC_A" "$IP_A" "$MAC_B" "$IP_B"
  _host_up "$NS_B" vb "$MAC_B" "$IP_B" "$MAC_A" "$IP_A"
  _sink_udp
}

# _sink_udp: the flood goes to B's MAC but to IP_SINK, an address nobody owns. With forwarding
# off in B, B's stack drops each frame right after the route lookup, silently: B spends the
# shared CPUs on nothing more, and no reply (ICMP port unreachable) travels back through the
# forwarder. B's veth rx counter has already counted the frame: that is what we measure,
# frames delivered to B's interface. (This kernel has no tc actions to drop at ingress.)
_sink_udp() {
  ip netns exec "$NS_B" sysctl -qw net.ipv4.ip_forward=0
  ip netns exec "$NS_B" sysctl -qw net.ipv4.conf.all.forwarding=0
}

# offloads NS IF on|off: checksum offload (and with it TSO/GSO) on one host end.
offloads() {
  ip netns exec "$1" ethtool -K "$2" tx "$3" rx "$3" >/dev/null 2>&1 || true
}
