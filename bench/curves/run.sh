#!/usr/bin/env bash
# bench/curves/run.sh — `npm run bench:curves`: cost as work grows, Sluice against OVS 3.1
# netdev in the same run (issue #14 §4). Four curves, each point repeated ROUNDS times:
#   flows    delivered kpps against concurrent flows (64 B UDP, distinct 5-tuples)
#   ping     ping A → B idle and under 10 / 50 / 90 % of the switch's own 1-flow max
#   rules    delivered kpps against installed rules (20 masks, traffic hits the last one)
#   flowmod  flow-mod install rate against table size (ovs-ofctl add-flows, for both)
# Topology as bench:e2e (its topo.sh, measure.sh and switches.sh are sourced, not copied):
#   ns A [va] ── [sa] ns SW: switch [sb] ── [vb] ns B
#
#   sudo npm run bench:curves                   # full run, 2 rounds, ~15 min (14–18 measured)
#   CURVES_QUICK=1 npm run bench:curves         # a subset, 1 round, ~1.5 min
#   npm run bench:curves -- --plot-only         # redraw from bench/results/curves.tsv
#
# Environment: ROUNDS (default 2; quick 1; each round adds ~7–9 min), CURVES_SWITCHES="sluice ovs",
# CURVES_FLOWS, CURVES_RULES, CURVES_LOADS (lists), CURVES_RULES_FLOWS=10000 (flows of the
# rules curve's traffic), FLOOD_SECONDS=5, PING_COUNT=100, CURVES_NO_BUILD=1 (skip tsc),
# CURVES_OUT=DIR (default bench/results; /tmp/sluice-curves-quick with CURVES_QUICK=1, so a
# quick check never replaces the published curves), E2E_KEEP_LOGS=1 (keep the temp dir).
#
# Invariants:
# - needs root; everything it creates (namespaces slcurv-PID-*, veths, daemons, temp files)
#   is removed on exit, on failure and on Ctrl-C (trap); daemons are stopped by PID;
# - each switch of a round gets a fresh topology of its own; both run during the round and
#   the points interleave (one switch, then the other, the order swapped from point to point);
# - every figure is stored with the load average when it was taken (raw TSV), so the report
#   and the charts can be redrawn without measuring again.
set -u

HERE="$(cd "$(dirname "$0")" && pwd)"
# Read before bench/e2e/measure.sh sets its own defaults for these two.
CV_FLOOD_SECONDS="${FLOOD_SECONDS:-}"
CV_PING_COUNT="${PING_COUNT:-}"
REPO_ROOT="$(cd "$HERE/../.." && pwd)"
# A quick run is a check, not a result: it writes next to the published curves only when
# CURVES_OUT says so.
if [ "${CURVES_QUICK:-0}" = 1 ] && [ "${1:-}" != --plot-only ]; then
  OUT="${CURVES_OUT:-/tmp/sluice-curves-quick}"
else
  OUT="${CURVES_OUT:-$REPO_ROOT/bench/results}"
fi

if [ "${1:-}" = --plot-only ]; then
  cd "$REPO_ROOT" && exec npx tsx "$HERE/report.ts" "$OUT/curves.tsv" "$OUT"
fi

E2E_PREFIX="slcurv-$$-"
CV_BASE="$E2E_PREFIX"
E2E_PIDS=""
E2E_TMP="$(mktemp -d /tmp/sluice-curves.XXXXXX)"
E2E_RESULTS="$E2E_TMP/e2e.tsv"
CV_RAW="$E2E_TMP/curves.tsv"
: >"$CV_RAW"

. "$REPO_ROOT/bench/e2e/topo.sh"
. "$REPO_ROOT/bench/e2e/measure.sh"
. "$REPO_ROOT/bench/e2e/switches.sh"
. "$HERE/switches.sh"
. "$HERE/measure.sh"

if [ "${CURVES_QUICK:-0}" = 1 ]; then
  ROUNDS="${ROUNDS:-1}"
  CURVES_FLOWS="${CURVES_FLOWS:-1 10000 100000}"
  CURVES_RULES="${CURVES_RULES:-10 1000}"
  CURVES_LOADS="${CURVES_LOADS:-50}"
  CV_FLOOD_SECONDS="${CV_FLOOD_SECONDS:-2}"
  CV_PING_COUNT="${CV_PING_COUNT:-50}"
fi
ROUNDS="${ROUNDS:-2}"
CURVES_SWITCHES="${CURVES_SWITCHES:-sluice ovs}"
CURVES_FLOWS="${CURVES_FLOWS:-1 100 1000 8192 10000 100000 1000000}"
CURVES_RULES="${CURVES_RULES:-10 1000 100000 1000000}"
CURVES_LOADS="${CURVES_LOADS:-10 50 90}"
CURVES_RULES_FLOWS="${CURVES_RULES_FLOWS:-10000}"
CV_FLOOD_SECONDS="${CV_FLOOD_SECONDS:-5}"
CV_PING_COUNT="${CV_PING_COUNT:-100}"

cleanup() {
  trap - EXIT INT TERM
  cv_sluice_stop; cv_ovs_stop
  local pid
  for pid in $E2E_PIDS; do kill "$pid" 2>/dev/null || true; done
  E2E_PREFIX="$CV_BASE"; topo_down
  if [ "${E2E_KEEP_LOGS:-0}" = 1 ]; then echo "logs kept in $E2E_TMP" >&2; else rm -rf "$E2E_TMP"; fi
}
trap cleanup EXIT
trap 'echo "interrupted: cleaning up" >&2; exit 130' INT TERM

if [ "$(id -u)" != 0 ]; then echo "bench:curves needs root (network namespaces)" >&2; exit 1; fi
bash "$REPO_ROOT/test/install-tools.sh" ip ethtool trafgen ping ovs-vswitchd ovsdb-server ovsdb-tool \
  ovs-vsctl ovs-ofctl git >&2 || { echo "bench:curves: installing its tools failed" >&2; exit 1; }
command -v node >/dev/null || { echo "bench:curves needs node" >&2; exit 1; }
if [ "${CURVES_NO_BUILD:-0}" != 1 ]; then
  # tsc still emits JavaScript when some unrelated file has type errors.
  run_bg "$REPO_ROOT/node_modules/.bin/tsc" -p "$REPO_ROOT/tsconfig.json" >"$E2E_TMP/build.log" 2>&1 || true
fi

# The machine and the run, first on the screen and in the raw file.
meta() { printf '# %s\t%s\n' "$1" "$2" >>"$CV_RAW"; echo "$1: $2" >&2; }
read -r load1 load5 load15 _ </proc/loadavg
dirty=""; [ -z "$(git -C "$REPO_ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ] || dirty="+dirty"
meta date "$(date -u '+%Y-%m-%d %H:%M UTC')"
meta commit "$(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null)$dirty"
meta nproc "$(nproc)"
meta cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
meta kernel "$(uname -r)"
meta node "$(node -v)"
meta ovs "$(ovs-vswitchd --version | head -n 1)"
meta trafgen "$(trafgen --version 2>&1 | head -n 1 | cut -d' ' -f1-2)"
meta load_before "$load1 $load5 $load15"
meta rounds "$ROUNDS"
meta settings "flows: $CURVES_FLOWS; rules: $CURVES_RULES (traffic: $CURVES_RULES_FLOWS flows); loads: idle $CURVES_LOADS %; ${CV_FLOOD_SECONDS}s floods, $CV_PING_COUNT pings"
[ "$(awk -v l="$load1" 'BEGIN{print (l > 0.5)}')" = 0 ] ||
  echo "  (busy: other processes compete for the CPUs, figures will be lower and noisier)" >&2

# _cv_max SW: this round's 1-flow delivered kpps of SW (the 100 % of the ping curve).
_cv_max() {
  awk -F'\t' -v r="$CV_ROUND" -v s="$1" '$1==r && $2==s && $3=="flows" && $4=="1" && $5=="kpps" {print $6}' "$CV_RAW" | tail -n 1
}

# Both switches run at the same time, each on its own topology (namespaces slcurv-PID-SW-a,
# -sw, -b), and the points interleave: flows=1 on one switch, then on the other, then the
# next point with the order swapped. The load of the machine (shared with other jobs) then
# weighs on both columns of a point alike; the idle switch costs next to nothing meanwhile.
# cv_use SW: topo.sh's and measure.sh's names now mean SW's namespaces.
cv_use() { E2E_PREFIX="${CV_BASE}$1-"; NS_A="${E2E_PREFIX}a"; NS_B="${E2E_PREFIX}b"; NS_SW="${E2E_PREFIX}sw"; }
CV_UP=""
CV_FLIP=0
# cv_each STEP ARGS...: `STEP SW ARGS...` on every running switch, alternating the order.
cv_each() {
  local sw list="$CV_UP"
  CV_FLIP=$((CV_FLIP + 1))
  [ $((CV_FLIP % 2)) = 0 ] || list="$(echo "$list" | awk '{for (i = NF; i > 0; i--) printf "%s%s", $i, (i > 1 ? " " : "\n")}')"
  for sw in $list; do cv_use "$sw"; "$1" "$sw" "${@:2}"; done
}

_step_flows() { cv_flood "$1" flows "$2" "$2"; }
_step_ping() {
  local sw="$1" pct="$2" max
  if [ "$pct" = 0 ]; then cv_ping "$sw" 0; return; fi
  max=$(_cv_max "$sw")
  if [ -n "$max" ] && [ "$max" != n/a ]; then
    cv_rec "$sw" ping "$pct" target_kpps "$(awk -v m="$max" -v p="$pct" 'BEGIN{printf "%.1f", m*p/100}')"
    cv_ping "$sw" "$pct" "$(awk -v m="$max" -v p="$pct" 'BEGIN{printf "%d", m*1000*p/100}')"
  else
    cv_rec "$sw" ping "$pct" ping_ms n/a
  fi
}
_step_rules() {
  local sw="$1" n="$2"
  if cv_install "$sw" "$n" ofctl; then cv_flood "$sw" rules "$n" "$CURVES_RULES_FLOWS"; else cv_rec "$sw" rules "$n" kpps n/a; fi
  [ "$n" -lt 1000 ] || cv_install "$sw" "$n" pipe || true
}

start=$(date +%s)
for CV_ROUND in $(seq 1 "$ROUNDS"); do
  echo "-- round $CV_ROUND/$ROUNDS (load $(cut -d' ' -f1 /proc/loadavg), $(( $(date +%s) - start )) s)" >&2
  CV_UP=""
  for sw in $CURVES_SWITCHES; do
    cv_use "$sw"
    topo_switch
    SW_REASON=""
    if "cv_${sw}_start"; then
      CV_UP="$CV_UP $sw"
      wait_ping || echo "  $sw: B does not answer ping; measuring anyway" >&2
    else
      echo "  $sw not available: $SW_REASON" >&2
    fi
  done
  for f in $CURVES_FLOWS; do cv_each _step_flows "$f"; done
  for pct in 0 $CURVES_LOADS; do cv_each _step_ping "$pct"; done
  for n in $CURVES_RULES; do cv_each _step_rules "$n"; done
  for sw in $CV_UP; do
    echo "  $sw: $(awk -F'\t' -v r="$CV_ROUND" -v s="$sw" '$1==r && $2==s {printf "%s %s %s=%s; ", $3, $4, $5, $6}' "$CV_RAW")" >&2
  done
  for sw in $CURVES_SWITCHES; do "cv_${sw}_stop"; done
  E2E_PREFIX="$CV_BASE"; topo_down
done
read -r load1 load5 load15 _ </proc/loadavg
meta load_after "$load1 $load5 $load15"
meta duration_s "$(( $(date +%s) - start ))"

mkdir -p "$OUT"
cp "$CV_RAW" "$OUT/curves.tsv"
(cd "$REPO_ROOT" && npx tsx "$HERE/report.ts" "$OUT/curves.tsv" "$OUT")
