# bench/curves/measure.sh — one point of each curve (sourced by run.sh; needs bench/e2e's
# topo.sh and measure.sh for the namespaces, _stat, run_bg and forget).
#
# Each function appends "round switch curve x metric value load1" lines to $CV_RAW, where
# load1 is the 1-minute load average when the point started (the two cores are shared).
#
# Invariants (as bench/e2e/measure.sh):
# - packets are counted by the kernel: offered = A's va tx_packets + tx_dropped, delivered =
#   B's vb rx_packets, over the same window, after a warm-up second;
# - the generator is ONE trafgen process (-P 1), bounded by timeout, recorded in E2E_PIDS
#   while it runs so that cleanup stops it by PID.

CV_ROUND=0

cv_rec() {
  local l1 _
  read -r l1 _ </proc/loadavg
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$CV_ROUND" "$1" "$2" "$3" "$4" "$5" "$l1" >>"$CV_RAW"
}

# cv_split FLOWS: "A B" with A·B = FLOWS and gcd(A, B) = 1, A ≤ 60000, B ≤ 60000: the UDP source
# port walks A values and the destination port B values, one step each per frame, so the pair
# repeats only after A·B frames: FLOWS distinct 5-tuples. Up to 60000 flows B is 1; above,
# FLOWS must split into a power of two and an odd factor (100,000 = 32·3125, 1M = 64·15625).
cv_split() {
  local n="$1" p=1 o
  if [ "$n" -le 60000 ]; then echo "$n 1"; return 0; fi
  o="$n"
  while [ $((o % 2)) = 0 ]; do o=$((o / 2)); p=$((p * 2)); done
  if [ "$p" -gt 1 ] && [ "$p" -le 60000 ] && [ "$o" -gt 1 ] && [ "$o" -le 60000 ]; then
    echo "$o $p"; return 0
  fi
  echo "cv_split: $n flows cannot be split into coprime port ranges ≤ 60000" >&2
  return 1
}

# cv_trafgen_conf FLOWS [DPORT]: one 64-byte frame (60 B + FCS) of UDP from A to B's MAC and
# IP_SINK (owned by nobody: B drops it after the route lookup, see bench/e2e/topo.sh).
# With FLOWS > 1 the source port (and above 60000 flows the destination port) walk
# (cv_split). DPORT (default 9) is the destination port when it does not walk.
cv_trafgen_conf() {
  local a b sp=10000 dp="${2:-9}"
  read -r a b <<<"$(cv_split "$1")" || return 1
  [ "$a" -le 1 ] || sp="dinc(1024, $((1024 + a - 1)))"
  [ "$b" -le 1 ] || dp="dinc(1024, $((1024 + b - 1)))"
  cat <<CONF
{
  eth(da=$MAC_B, sa=$MAC_A),
  ipv4(sa=$IP_A, da=$IP_SINK, ttl=64, df),
  udp(sp=$sp, dp=$dp),
  fill(0x00, 18)
}
CONF
}

# _cv_trafgen CONF SECONDS [PPS]: start trafgen in A (rate-limited with --rate when PPS is
# given); sets CV_TG to its PID. Returns non-zero if it died at once.
_cv_trafgen() {
  local conf="$1" secs="$2" rate=()
  [ -z "${3:-}" ] || rate=(-b "${3}pps")
  ip netns exec "$NS_A" timeout -s INT $((secs + 5)) \
    trafgen -o va -c "$conf" -P 1 "${rate[@]}" >"$E2E_TMP/trafgen.log" 2>&1 &
  CV_TG=$!; E2E_PIDS="$E2E_PIDS $CV_TG"
  run_bg sleep 1
  if ! kill -0 "$CV_TG" 2>/dev/null; then
    wait "$CV_TG" 2>/dev/null; forget "$CV_TG"
    echo "  trafgen died: $(tail -n 3 "$E2E_TMP/trafgen.log")" >&2
    return 1
  fi
}
_cv_trafgen_stop() { kill -INT "$CV_TG" 2>/dev/null; wait "$CV_TG" 2>/dev/null; forget "$CV_TG"; }

# _cv_counters: "tx+dropped at A, rx at B, time in ns".
_cv_counters() {
  echo "$(( $(_stat "$NS_A" va tx_packets) + $(_stat "$NS_A" va tx_dropped) )) $(_stat "$NS_B" vb rx_packets) $(date +%s%N)"
}
# _cv_kpps N0 N1 T0 T1: packets/s in thousands between two counter readings.
_cv_kpps() { awk -v a="$1" -v b="$2" -v t0="$3" -v t1="$4" 'BEGIN{printf "%.1f", (b-a)/((t1-t0)/1e9)/1000}'; }

# cv_flood SW CURVE X FLOWS [DPORT]: offered and delivered kpps of a full-speed flood.
cv_flood() {
  local sw="$1" curve="$2" x="$3" flows="$4" conf="$E2E_TMP/trafgen.cfg" o0 d0 t0 o1 d1 t1
  cv_trafgen_conf "$flows" "${5:-}" >"$conf" || { cv_rec "$sw" "$curve" "$x" kpps n/a; return; }
  if ! _cv_trafgen "$conf" "$CV_FLOOD_SECONDS"; then cv_rec "$sw" "$curve" "$x" kpps n/a; return; fi
  read -r o0 d0 t0 <<<"$(_cv_counters)"
  run_bg sleep "$CV_FLOOD_SECONDS"
  read -r o1 d1 t1 <<<"$(_cv_counters)"
  _cv_trafgen_stop
  cv_rec "$sw" "$curve" "$x" offered_kpps "$(_cv_kpps "$o0" "$o1" "$t0" "$t1")"
  cv_rec "$sw" "$curve" "$x" kpps "$(_cv_kpps "$d0" "$d1" "$t0" "$t1")"
}

# cv_ping SW X [PPS]: CV_PING_COUNT pings A → B 20 ms apart, alone (PPS empty: "idle") or
# while trafgen sends one flow at PPS packets/s through the same switch. Records the
# average and the maximum RTT, the pings lost, and the load actually offered and delivered.
cv_ping() {
  local sw="$1" x="$2" pps="${3:-}" out="$E2E_TMP/ping.txt" o0 d0 t0 o1 d1 t1
  if [ -n "$pps" ]; then
    cv_trafgen_conf 1 >"$E2E_TMP/trafgen.cfg"
    if ! _cv_trafgen "$E2E_TMP/trafgen.cfg" $((CV_PING_COUNT / 50 + 8)) "$pps"; then
      cv_rec "$sw" ping "$x" ping_ms n/a; return
    fi
  fi
  read -r o0 d0 t0 <<<"$(_cv_counters)"
  # -w: a deadline, so that ping always ends with its summary (never killed by timeout).
  run_bg ip netns exec "$NS_A" timeout 90 ping -c "$CV_PING_COUNT" -i 0.02 -W 1 -w $((CV_PING_COUNT / 50 + 5)) -q "$IP_B" >"$out" 2>/dev/null
  read -r o1 d1 t1 <<<"$(_cv_counters)"
  [ -z "$pps" ] || _cv_trafgen_stop
  cv_rec "$sw" ping "$x" ping_ms "$(awk -F'/' '/^rtt/ { print $5 }' "$out" | grep . || echo fail)"
  cv_rec "$sw" ping "$x" ping_max_ms "$(awk -F'/' '/^rtt/ { print $6 }' "$out" | grep . || echo fail)"
  cv_rec "$sw" ping "$x" ping_lost_pct "$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' "$out" | grep . || echo n/a)"
  cv_rec "$sw" ping "$x" offered_kpps "$(_cv_kpps "$o0" "$o1" "$t0" "$t1")"
  cv_rec "$sw" ping "$x" kpps "$(_cv_kpps "$d0" "$d1" "$t0" "$t1")"
}

# cv_rules_file N FILE: N rules over 20 masks, and traffic (UDP to IP_SINK port 9) matches
# only the last one, of the lowest priority: a lookup has to get past every other mask.
#   rule 0:       priority=981, udp, nw_dst=IP_SINK/32, tp_dst=9 → output:2 (the one hit)
#   rule j ≥ 1:   mask k = j mod 20: priority 1000-k, udp, nw_dst=D/(13+k), tp_dst=T → output:2,
#                 T = 10 + (j div 20) mod 50000 (never 9), D = IP_SINK's /(13+k) network,
#                 plus (j div 20 div 50000) networks further on. The nw_dst prefixes cover
#                 the traffic's address, so per-field prefix tracking cannot skip a mask:
#                 the exact tp_dst is what misses.
# With N = 10 there are 10 masks (rules 1..9 use masks 1..9, rule 0 mask 19).
cv_rules_file() {
  awk -v n="$1" -v sink="$IP_SINK" 'BEGIN {
    split(sink, o, "."); s = ((o[1] * 256 + o[2]) * 256 + o[3]) * 256 + o[4]
    print "priority=981,udp,nw_dst=" sink "/32,tp_dst=9,actions=output:2"
    for (j = 1; j < n; j++) {
      k = j % 20; p = 13 + k; i = int(j / 20); blk = 2 ^ (32 - p)
      d = (int(s / blk) + int(i / 50000)) * blk % 4294967296
      printf "priority=%d,udp,nw_dst=%d.%d.%d.%d/%d,tp_dst=%d,actions=output:2\n", 1000 - k,
        int(d / 16777216), int(d / 65536) % 256, int(d / 256) % 256, d % 256, p, 10 + i % 50000
    }
  }' >"$2"
}

# cv_install SW N CLIENT: empties SW's table, then installs N rules (cv_rules_file) with one
# call of CLIENT, timed to its exit (after the switch's barrier reply):
#   ofctl   `ovs-ofctl -O OpenFlow13 add-flows`: ONE BARRIER PER RULE (ovs-ofctl sends each
#           flow-mod with transact_noreply: the flow-mod, a barrier, and waits for the reply),
#           so this is the rate of flow-mod round trips, as a script using ovs-ofctl sees it;
#   pipe    bench/curves/flowmod-client.ts: the file parsed and every flow-mod encoded before
#           the clock starts, then all flow-mods back to back and one barrier: the rate of a
#           pipelined controller, i.e. of the switch itself (the time it prints is used).
# Records the time, the rate, the client's own CPU time (user + system, for ovs-ofctl:
# parsing the file and encoding are inside its time) and the rule count the switch reports
# afterwards. (`sluice add-flows` also pipelines, but its own parsing takes most of its time.)
cv_install() {
  local sw="$1" n="$2" client="$3" file="$E2E_TMP/rules-$2.flows" t0 t1 count cmd
  [ -f "$file" ] || cv_rules_file "$n" "$file"
  if [ "$client" = ofctl ]; then cmd=(cv_ofctl "$sw" add-flows "$file")
  else cmd=(timeout 900 "$REPO_ROOT/node_modules/.bin/tsx" "$REPO_ROOT/bench/curves/flowmod-client.ts" "${CV_TARGET[$sw]}" "$file"); fi
  cv_ofctl "$sw" del-flows || echo "  $sw: del-flows failed" >&2
  local TIMEFORMAT='%U %S' ok=1 cu cs
  t0=$(date +%s%N)
  { time "${cmd[@]}" >"$E2E_TMP/add-flows.out" 2>"$E2E_TMP/add-flows.err" || ok=0; } 2>"$E2E_TMP/add-flows.time"
  t1=$(date +%s%N)
  if [ "$client" = pipe ] && [ "$ok" = 1 ]; then
    # its own clock: first flow-mod written → barrier reply (parsing and start-up excluded)
    t1=$(awk -v t0="$t0" '{ for (i = 1; i < NF; i++) if ($i == "seconds") printf "%.0f", t0 + $(i+1) * 1e9 }' "$E2E_TMP/add-flows.out")
    [ -n "$t1" ] || ok=0
  fi
  if [ "$ok" = 0 ]; then
    echo "  $sw: add-flows ($client) of $n rules failed: $(head -c 200 "$E2E_TMP/add-flows.err")" >&2
    cv_rec "$sw" "flowmod_$client" "$n" rules_per_s n/a; return 1
  fi
  read -r cu cs <"$E2E_TMP/add-flows.time"
  count=$(cv_ofctl "$sw" dump-aggregate 2>/dev/null | sed -n 's/.*flow_count=\([0-9]*\).*/\1/p')
  cv_rec "$sw" "flowmod_$client" "$n" client_cpu_s "$(awk -v u="$cu" -v s="$cs" 'BEGIN{printf "%.3f", u+s}')"
  cv_rec "$sw" "flowmod_$client" "$n" install_s "$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", (b-a)/1e9}')"
  cv_rec "$sw" "flowmod_$client" "$n" rules_per_s "$(awk -v n="$n" -v a="$t0" -v b="$t1" 'BEGIN{printf "%.0f", n/((b-a)/1e9)}')"
  cv_rec "$sw" "flowmod_$client" "$n" rule_count "${count:-n/a}"
  [ "${count:-0}" = "$n" ] || echo "  $sw: $n rules installed ($client) but the switch counts ${count:-none}" >&2
}
