# bench/e2e/measure.sh — the three measurements, run against whatever forwards A ↔ B
# (sourced by run.sh; needs topo.sh). Each function appends "path<TAB>metric<TAB>value"
# lines to $E2E_RESULTS and is bounded in time whatever the forwarder does.
#
# Invariants:
# - packets are counted by the kernel, not by the tools: frames offered = A's veth tx_packets
#   + tx_dropped, frames delivered = B's veth rx_packets, both read over the same window, after
#   a warm-up second (so learning, cache fills and process start-up are not in the figure);
#   a loss below 0 (frames of the window still in flight) is shown as 0;
# - the generator runs as ONE process (trafgen -P 1) so that the forwarder keeps one core;
# - every background process is recorded in E2E_PIDS while it runs, so that cleanup stops it
#   by PID (and only it).

FLOOD_SECONDS="${FLOOD_SECONDS:-5}"
# TRAFGEN_ARGS: extra trafgen options, e.g. "-b 150000pps" for a flood below saturation.
TCP_SECONDS="${TCP_SECONDS:-5}"
PING_COUNT="${PING_COUNT:-20}"

_stat() { ip netns exec "$1" cat "/sys/class/net/$2/statistics/$3"; }

# run_bg CMD...: run CMD in the background and wait for it. The `wait` builtin returns as soon as
# a trapped signal (Ctrl-C) arrives; bash would delay the trap until a foreground command ends,
# and skips it altogether when that command survives the SIGINT.
# A PID leaves E2E_PIDS once reaped, so that cleanup never signals a recycled PID.
run_bg() { "$@" & local p=$! rc; E2E_PIDS="$E2E_PIDS $p"; wait "$p"; rc=$?; forget "$p"; return "$rc"; }

# forget PID: drop a reaped PID from E2E_PIDS.
forget() {
  local p keep=""
  for p in $E2E_PIDS; do [ "$p" = "$1" ] || keep="$keep $p"; done
  E2E_PIDS="$keep"
}

record() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$E2E_RESULTS"; }

# _trafgen_conf FLOWS: one 64-byte frame (60 B + 4 B FCS on the wire, RFC 2544's 64 B) of UDP
# from A to B's MAC, IP_SINK port 9 (see topo.sh). With FLOWS > 1 the UDP source port walks
# FLOWS consecutive values, so a forwarder that caches exact flows sees FLOWS concurrent flows.
_trafgen_conf() {
  local sp=10000
  if [ "$1" -gt 1 ]; then sp="dinc(10000, $((10000 + $1 - 1)))"; fi
  cat <<CONF
{
  eth(da=$MAC_B, sa=$MAC_A),
  ipv4(sa=$IP_A, da=$IP_SINK, ttl=64, df),
  udp(sp=$sp, dp=9),
  fill(0x00, 18)
}
CONF
}

# _sleeps: how often the forwarder's main thread has gone to sleep so far (voluntary
# context switches of FWD_PID, which switches.sh sets for the userspace forwarders; empty
# without one). A forwarder that sleeps thousands of times a second during a flood empties
# its ring each time and pays a wake-up after each (bench/e2e/rx-dropped.md).
_sleeps() {
  [ -n "${FWD_PID:-}" ] || return 0
  awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$FWD_PID/status" 2>/dev/null
}

# flood PATH FLOWS: offered and delivered packets/s with FLOWS flows, and the loss.
flood() {
  local path="$1" flows="$2" conf="$E2E_TMP/trafgen-$2.cfg" pid
  _trafgen_conf "$flows" >"$conf"
  # trafgen forks its sender even with -P 1 and a signal to the parent alone does not stop it:
  # timeout (its own process group) bounds the run and forwards our SIGINT to the whole group.
  ip netns exec "$NS_A" timeout -s INT $((FLOOD_SECONDS + 5)) \
    trafgen -o va -c "$conf" -P 1 ${TRAFGEN_ARGS:-} >"$E2E_TMP/trafgen.log" 2>&1 &
  pid=$!; E2E_PIDS="$E2E_PIDS $pid"
  run_bg sleep 1
  if ! kill -0 "$pid" 2>/dev/null; then
    wait "$pid" 2>/dev/null; forget "$pid"
    echo "  trafgen died: $(tail -n 3 "$E2E_TMP/trafgen.log")" >&2
    record "$path" "kpps_$flows" "n/a"; record "$path" "loss_$flows" "n/a"
    return
  fi
  local tx0 dr0 rx0 tx1 dr1 rx1 t0 t1 v0 v1
  v0=$(_sleeps)
  t0=$(date +%s%N)
  tx0=$(_stat "$NS_A" va tx_packets); dr0=$(_stat "$NS_A" va tx_dropped)
  rx0=$(_stat "$NS_B" vb rx_packets)
  run_bg sleep "$FLOOD_SECONDS"
  tx1=$(_stat "$NS_A" va tx_packets); dr1=$(_stat "$NS_A" va tx_dropped)
  rx1=$(_stat "$NS_B" vb rx_packets)
  t1=$(date +%s%N)
  v1=$(_sleeps)
  kill -INT "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; forget "$pid"
  if [ -n "$v0" ] && [ -n "$v1" ]; then
    record "$path" "sleeps_per_s_$flows" "$(awk -v n=$((v1 - v0)) -v t="$((t1 - t0))" 'BEGIN{printf "%.0f", n/(t/1e9)}')"
  fi
  local offered=$(( (tx1 - tx0) + (dr1 - dr0) )) delivered=$(( rx1 - rx0 ))
  local ns=$(( t1 - t0 ))
  record "$path" "offered_kpps_$flows" "$(awk -v n="$offered" -v t="$ns" 'BEGIN{printf "%.0f", n/(t/1e9)/1000}')"
  record "$path" "kpps_$flows" "$(awk -v n="$delivered" -v t="$ns" 'BEGIN{printf "%.0f", n/(t/1e9)/1000}')"
  record "$path" "loss_$flows" "$(awk -v o="$offered" -v d="$delivered" 'BEGIN{ if (o<=0) { print "n/a"; exit } l=100*(1-d/o); if (l<0) l=0; printf "%.1f", l }')"
}

# tcp PATH LABEL: iperf3 A → B for TCP_SECONDS, Gbit/s received ("fail" if no transfer).
tcp() {
  local path="$1" label="$2" spid out="$E2E_TMP/iperf3-$2.json"
  ip netns exec "$NS_B" timeout $((TCP_SECONDS + 15)) iperf3 -s -1 -B "$IP_B" >/dev/null 2>&1 &
  spid=$!; E2E_PIDS="$E2E_PIDS $spid"
  run_bg sleep 0.3
  run_bg ip netns exec "$NS_A" timeout $((TCP_SECONDS + 10)) \
    iperf3 -c "$IP_B" -t "$TCP_SECONDS" -J --connect-timeout 3000 >"$out" 2>/dev/null || true
  kill "$spid" 2>/dev/null; wait "$spid" 2>/dev/null; forget "$spid"
  record "$path" "tcp_$label" "$(node -e '
    try {
      const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
      const b = r.end && r.end.sum_received && r.end.sum_received.bits_per_second;
      console.log(b > 0 ? (b / 1e9).toFixed(2) : "fail");
    } catch { console.log("fail"); }' "$out")"
}

# ping_avg PATH: average RTT in ms of PING_COUNT pings 50 ms apart ("fail" if none answered).
ping_avg() {
  local path="$1" avg out="$E2E_TMP/ping.txt"
  run_bg ip netns exec "$NS_A" timeout 15 ping -c "$PING_COUNT" -i 0.05 -W 1 -q "$IP_B" >"$out" 2>/dev/null
  avg=$(awk -F'/' '/^rtt/ { print $5 }' "$out")
  record "$path" "ping_ms" "${avg:-fail}"
}

# wait_ping: until B answers A (at most ~10 s); also teaches learning switches both MACs.
wait_ping() {
  local i
  for i in $(seq 1 20); do
    run_bg ip netns exec "$NS_A" ping -c 1 -W 0.5 -q "$IP_B" >/dev/null 2>&1 && return 0
  done
  return 1
}

# measure_all PATH: the whole series against the forwarder now running.
measure_all() {
  local path="$1"
  if ! wait_ping; then
    echo "  $path: B does not answer ping; measuring anyway" >&2
  fi
  ping_avg "$path"
  flood "$path" 1
  flood "$path" "$E2E_FLOWS"
  # TCP with the hosts' default offloads, then with checksum offload (so TSO/GSO) off:
  # AF_PACKET forwarders that ignore the virtio-net header need the latter (LAB-NOTES).
  tcp "$path" on
  offloads "$NS_A" va off; offloads "$NS_B" vb off
  tcp "$path" off
  offloads "$NS_A" va on; offloads "$NS_B" vb on
}
