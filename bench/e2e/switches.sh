# bench/e2e/switches.sh — start and stop each forwarder under test in $NS_SW (sourced by
# run.sh; needs topo.sh). sw_<name>_start returns non-zero and sets SW_REASON when the
# forwarder cannot run; sw_<name>_stop is safe to call at any time, also twice.
#
# Invariants:
# - every daemon runs inside $NS_SW and is stopped by the PID we recorded, never by name:
#   other Sluice or OVS processes on the machine (tests, other benches) are left alone;
# - Open vSwitch gets private OVS_RUNDIR/OVS_DBDIR/OVS_LOGDIR/OVS_SYSCONFDIR under $E2E_TMP,
#   so its database, sockets and the TAP `ovs-netdev` it always creates belong to this run.

SW_REASON=""
FWD_PID=""   # the userspace forwarder now running (measure.sh counts its sleeps)
REPO_ROOT="${REPO_ROOT:-$(pwd)}"

# The private OVS (database, daemons in a namespace, stop by pidfile) and _stop_pid.
. "$REPO_ROOT/test/interop/ovs-netdev.sh"
_stop_pid() { ovs_netdev_stop_pid "$1"; }
# running PID: the process is alive (an exited but not yet reaped child still answers
# kill -0, so its state is read instead).
running() { ps -o stat= -p "$1" 2>/dev/null | grep -qv '^Z'; }

# ---- Linux bridge: the kernel's own forwarder (STP off, so ports forward at once).
sw_bridge_start() {
  ip -n "$NS_SW" link add br0 type bridge stp_state 0 &&
    ip -n "$NS_SW" link set sa master br0 &&
    ip -n "$NS_SW" link set sb master br0 &&
    ip -n "$NS_SW" link set br0 up || { SW_REASON="could not create a Linux bridge"; return 1; }
}
sw_bridge_stop() { ip -n "$NS_SW" link del br0 2>/dev/null || true; }

# ---- Open vSwitch 3.1, userspace datapath (datapath_type=netdev: veths over AF_PACKET).
OVS_DIR=""
_ovs() { ovs_netdev_ctl "$OVS_DIR" "$@"; }
sw_ovs_start() {
  local db
  OVS_DIR="$E2E_TMP/ovs"
  db="unix:$OVS_DIR/run/db.sock"
  ovs_netdev_daemons "$NS_SW" "$OVS_DIR" 2>>"$E2E_TMP/ovs-start.log" ||
    { SW_REASON="OVS did not start: $(head -n 1 "$E2E_TMP/ovs-start.log")"; return 1; }
  # fail-mode=secure: only our flows forward (no NORMAL fallback behind our back).
  _ovs ovs-vsctl --db="$db" --timeout=20 add-br br0 -- set bridge br0 datapath_type=netdev \
    fail-mode=secure -- add-port br0 sa -- add-port br0 sb ||
    { SW_REASON="ovs-vsctl add-br failed (see $OVS_DIR/log)"; return 1; }
  _ovs ovs-ofctl del-flows br0 &&
    _ovs ovs-ofctl add-flow br0 "in_port=sa,actions=output:sb" &&
    _ovs ovs-ofctl add-flow br0 "in_port=sb,actions=output:sa" ||
    { SW_REASON="ovs-ofctl add-flow failed"; return 1; }
}
sw_ovs_stop() {
  [ -n "$OVS_DIR" ] || return 0
  ovs_netdev_stop "$OVS_DIR"
  OVS_DIR=""
}

# ---- Sluice: `sluice start` in standalone fail mode (acts as a learning switch, like NORMAL).
SLUICE_PID=""
SLUICE_PATH=sluice
SLUICE_BUILT=""
# Sluice from this checkout, or (path "base") from another checkout of Sluice, E2E_BASE_ROOT,
# built there (bench/ab.sh makes one at an older commit): the same harness measures both.
sw_sluice_start() {
  local root="${1:-$REPO_ROOT}"
  local main="$root/dist/src/cli/main.js" log="$E2E_TMP/sluice.log"
  if [ "${E2E_NO_BUILD:-0}" != 1 ] && [[ " $SLUICE_BUILT " != *" $root "* ]]; then
    # tsc still emits JavaScript when some unrelated file has type errors. Once per run.
    run_bg "$root/node_modules/.bin/tsc" -p "$root/tsconfig.json" >"$E2E_TMP/build.log" 2>&1 || true
    SLUICE_BUILT="$SLUICE_BUILT $root"
  fi
  if [ ! -f "$main" ]; then SW_REASON="not built ($main missing; see npm run build)"; return 1; fi
  if ! (cd "$root" && timeout 20 node "$main" start --help >"$log" 2>&1); then
    SW_REASON="'sluice start --help' fails: $(grep -m1 -E 'Error|error' "$log" | cut -c1-100)"
    return 1
  fi
  mkdir -p "$E2E_TMP/sluice"
  # The mgmt socket defaults to /run/sluice/br0.mgmt, shared with any other Sluice on the
  # machine: give this one a private run dir when the CLI has the flag.
  local extra=()
  if grep -q -- '--rundir' "$log"; then extra=(--rundir "$E2E_TMP/sluice"); fi
  local pa=sa pb=sb native=()
  if [ -n "${SLUICE_PORT_OPTS:-}" ]; then pa="afpacket:sa$SLUICE_PORT_OPTS" pb="afpacket:sb$SLUICE_PORT_OPTS"; fi
  if [ -n "${SLUICE_NATIVE_X:-}" ]; then native=(env "SLUICE_NATIVE=$SLUICE_NATIVE_X"); fi
  (cd "$E2E_TMP/sluice" && exec ip netns exec "$NS_SW" "${native[@]}" node "$main" start --bridge br0 \
    --port "$pa" --port "$pb" --fail-mode standalone "${extra[@]}" ${SLUICE_ARGS:-}) >"$log" 2>&1 &
  SLUICE_PID=$!; E2E_PIDS="$E2E_PIDS $SLUICE_PID"; FWD_PID=$SLUICE_PID
  run_bg sleep 2
  if ! running "$SLUICE_PID"; then
    wait "$SLUICE_PID" 2>/dev/null; forget "$SLUICE_PID"
    SW_REASON="sluice start exited: $(tail -n 1 "$log" | cut -c1-100)"; SLUICE_PID=""; FWD_PID=""; return 1
  fi
}
sw_sluice_stop() {
  [ -n "$SLUICE_PID" ] || return 0
  if ! running "$SLUICE_PID"; then
    echo "  warning: sluice exited during the measurements: $(tail -n 2 "$E2E_TMP/sluice.log")" >&2
  fi
  _stop_pid "$SLUICE_PID"; wait "$SLUICE_PID" 2>/dev/null; forget "$SLUICE_PID"; SLUICE_PID=""; FWD_PID=""
  # Sluice logs its counters at exit (whole series): socket drops explain the flood's loss.
  grep -E ': stats (port s[ab] |flow-cache)' "$E2E_TMP/sluice.log" | sed 's/^[^ ]* info  /  sluice /' >&2 || true
  # ... and the socket drops of the flooded port, as a figure of the series.
  local d
  d=$(grep -m1 -E ': stats port sa ' "$E2E_TMP/sluice.log" | sed -n 's/.* rx_dropped=\([0-9]*\).*/\1/p')
  [ -z "$d" ] || record "$SLUICE_PATH" sa_rx_dropped "$d"
}
sw_base_start() {
  if [ -z "${E2E_BASE_ROOT:-}" ]; then SW_REASON="E2E_BASE_ROOT is not set (see bench/ab.sh)"; return 1; fi
  SLUICE_PATH=base
  sw_sluice_start "$E2E_BASE_ROOT"
}
sw_base_stop() { sw_sluice_stop; SLUICE_PATH=sluice; }
# "sluicex": this checkout's Sluice as an experiment, for A/B in one run: its ports get the
# spec options E2E_SLUICEX_PORT_OPTS (e.g. ",novnet" or ",v3": src/ports/spec.ts) and it
# loads the addon E2E_SLUICEX_NATIVE when set (a variant build of native/); E2E_SLUICEX_ARGS
# replaces SLUICE_ARGS (extra `sluice start` flags, e.g. "--busy-poll 0") for it.
sw_sluicex_start() {
  SLUICE_PATH=sluicex SLUICE_PORT_OPTS="${E2E_SLUICEX_PORT_OPTS:-}" SLUICE_NATIVE_X="${E2E_SLUICEX_NATIVE:-}"
  SLUICE_ARGS="${E2E_SLUICEX_ARGS:-${SLUICE_ARGS:-}}" sw_sluice_start
}
sw_sluicex_stop() { sw_sluice_stop; SLUICE_PATH=sluice SLUICE_PORT_OPTS="" SLUICE_NATIVE_X=""; }

# ---- cfwd: the benchmark's C reference forwarder (bench/e2e/cfwd.c: AF_PACKET ring in,
# sendmmsg out, sa <-> sb, no lookups), built with cc into $E2E_TMP once per run.
# CFWD_ARGS passes its options (e.g. "-2" for TPACKET_V2, "-Q" without qdisc bypass).
CFWD_PID=""
sw_cfwd_start() {
  local bin="$E2E_TMP/cfwd" log="$E2E_TMP/cfwd.log"
  if [ ! -x "$bin" ] && ! cc -O2 -Wall -o "$bin" "$HERE/cfwd.c" 2>"$E2E_TMP/cfwd-build.log"; then
    SW_REASON="cc failed: $(head -n 1 "$E2E_TMP/cfwd-build.log")"; return 1
  fi
  # shellcheck disable=SC2086 # CFWD_ARGS is a list of options
  ip netns exec "$NS_SW" "$bin" ${CFWD_ARGS:-} sa sb >"$log" 2>&1 &
  CFWD_PID=$!; E2E_PIDS="$E2E_PIDS $CFWD_PID"; FWD_PID=$CFWD_PID
  run_bg sleep 0.5
  if ! running "$CFWD_PID"; then
    wait "$CFWD_PID" 2>/dev/null; forget "$CFWD_PID"
    SW_REASON="cfwd exited: $(tail -n 1 "$log" | cut -c1-100)"; CFWD_PID=""; FWD_PID=""; return 1
  fi
}
sw_cfwd_stop() {
  [ -n "$CFWD_PID" ] || return 0
  _stop_pid "$CFWD_PID"; wait "$CFWD_PID" 2>/dev/null; forget "$CFWD_PID"; CFWD_PID=""; FWD_PID=""
  # Its counters at exit (whole series): socket drops explain the flood's loss.
  grep -E '^cfwd: ' "$E2E_TMP/cfwd.log" | sed 's/^/  /' >&2 || true
  local d
  d=$(grep -m1 -E '^cfwd: port sa ' "$E2E_TMP/cfwd.log" | sed -n 's/.*socket drops \([0-9]*\).*/\1/p')
  [ -z "$d" ] || record cfwd sa_rx_dropped "$d"
}
