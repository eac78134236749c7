# bench/curves/switches.sh — the two switches of the curves bench, started the same way
# (sourced by run.sh after bench/e2e/topo.sh, measure.sh and switches.sh).
#
# Both switches get the same configuration, so that only the switch differs:
# - fail mode secure: nothing forwards but the OpenFlow rules we install;
# - ports sa and sb with OpenFlow port numbers 1 and 2 (rules name numbers, not names);
# - rules go in with the same client, `ovs-ofctl -O OpenFlow13 add-flows unix:SOCKET FILE`,
#   over each switch's own management socket (OVS: RUNDIR/br0.mgmt; Sluice: the same file
#   under its --rundir). cv_flows SW FILE is that call; CV_TARGET holds the socket.
#
# Invariants (as bench/e2e/switches.sh): every daemon runs inside $NS_SW and is stopped by
# the PID we recorded (never by name); OVS has private OVS_RUNDIR/DBDIR/LOGDIR/SYSCONFDIR
# under $E2E_TMP; a start that fails returns non-zero with SW_REASON set, and the stop
# functions are safe to call at any time, also twice.

CV_SLUICE_PID=""
CV_OVS_DIR=""
declare -A CV_TARGET=()

# The two forwarding rules of the flows and ping curves (bench/e2e/switches.sh's OVS rows).
CV_FORWARD_RULES=$'priority=10,in_port=1,actions=output:2\npriority=10,in_port=2,actions=output:1'

# cv_ofctl SW VERB [ARGS...]: ovs-ofctl (OpenFlow 1.3) against switch SW's socket.
cv_ofctl() {
  local sw="$1" verb="$2"; shift 2
  timeout 600 ovs-ofctl -O OpenFlow13 "$verb" "${CV_TARGET[$sw]}" "$@"
}

# cv_forward_rules SW: the table holds exactly the two in_port → output rules.
cv_forward_rules() {
  cv_ofctl "$1" del-flows && printf '%s\n' "$CV_FORWARD_RULES" >"$E2E_TMP/forward.flows" &&
    cv_ofctl "$1" add-flows "$E2E_TMP/forward.flows"
}

cv_ovs_start() {
  local db
  CV_OVS_DIR="$E2E_TMP/ovs"
  db="unix:$CV_OVS_DIR/run/db.sock"
  ovs_netdev_daemons "$NS_SW" "$CV_OVS_DIR" 2>>"$E2E_TMP/ovs-start.log" ||
    { SW_REASON="OVS did not start: $(head -n 1 "$E2E_TMP/ovs-start.log")"; return 1; }
  ovs_netdev_ctl "$CV_OVS_DIR" ovs-vsctl --db="$db" --timeout=20 add-br br0 \
    -- set bridge br0 datapath_type=netdev fail-mode=secure protocols=OpenFlow10,OpenFlow13 \
    -- add-port br0 sa -- set interface sa ofport_request=1 \
    -- add-port br0 sb -- set interface sb ofport_request=2 ||
    { SW_REASON="ovs-vsctl add-br failed (see $CV_OVS_DIR/log)"; return 1; }
  CV_TARGET[ovs]="unix:$CV_OVS_DIR/run/br0.mgmt"
  cv_forward_rules ovs || { SW_REASON="ovs-ofctl add-flows failed"; return 1; }
}
cv_ovs_stop() {
  [ -n "$CV_OVS_DIR" ] || return 0
  ovs_netdev_stop "$CV_OVS_DIR"
  CV_OVS_DIR=""
}

# Sluice: the daemon from this checkout's dist/ (run.sh builds it with tsc first).
# --flow-limit: its default (1,000,000 rules per table) would refuse the 1M-rule point;
# OVS has no OpenFlow table limit by default.
cv_sluice_start() {
  local main="$REPO_ROOT/dist/src/cli/main.js" log="$E2E_TMP/sluice.log" i
  [ -f "$main" ] || { SW_REASON="not built ($main missing; see npm run build)"; return 1; }
  mkdir -p "$E2E_TMP/sluice"
  (cd "$E2E_TMP/sluice" && exec ip netns exec "$NS_SW" node "$main" start --bridge br0 \
    --port sa@ofport=1 --port sb@ofport=2 --fail-mode secure --flow-limit 2000000 \
    --rundir "$E2E_TMP/sluice") >"$log" 2>&1 &
  CV_SLUICE_PID=$!; E2E_PIDS="$E2E_PIDS $CV_SLUICE_PID"
  CV_TARGET[sluice]="unix:$E2E_TMP/sluice/br0.mgmt"
  for i in $(seq 1 40); do
    [ -S "$E2E_TMP/sluice/br0.mgmt" ] && break
    run_bg sleep 0.25
  done
  if ! running "$CV_SLUICE_PID"; then
    wait "$CV_SLUICE_PID" 2>/dev/null; forget "$CV_SLUICE_PID"
    SW_REASON="sluice start exited: $(tail -n 1 "$log" | cut -c1-100)"; CV_SLUICE_PID=""; return 1
  fi
  [ "$i" != 40 ] || { SW_REASON="no management socket after 10 s"; return 1; }
  cv_forward_rules sluice || { SW_REASON="ovs-ofctl add-flows to Sluice failed"; return 1; }
}
cv_sluice_stop() {
  [ -n "$CV_SLUICE_PID" ] || return 0
  if ! running "$CV_SLUICE_PID"; then
    echo "  warning: sluice exited during the measurements: $(tail -n 2 "$E2E_TMP/sluice.log")" >&2
  fi
  _stop_pid "$CV_SLUICE_PID"; wait "$CV_SLUICE_PID" 2>/dev/null; forget "$CV_SLUICE_PID"; CV_SLUICE_PID=""
  # Its counters at exit (socket drops, flow-cache hits and misses) explain the curves.
  grep -E ': stats (port s[ab] |flow-cache)' "$E2E_TMP/sluice.log" | sed 's/^[^ ]* info  /  sluice /' >&2 || true
}
