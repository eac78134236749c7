#!/usr/bin/env bash
# bench/ab/run.sh — `npm run bench:ab -- BASE [ROUNDS]`: this checkout against an older commit
# BASE, in the same run, for "no regression" claims. It checks BASE out in a temporary git
# worktree, builds it there (npm ci: packages, addon, TypeScript), then for each round runs
#   - bench:pipeline in both trees (each tree's own bench/pipeline.ts on its own src), and
#   - bench:e2e from this checkout with the paths "sluice" (this tree), "base" (BASE's
#     build, E2E_BASE_ROOT) and "ovs" (the baseline both are compared with),
# alternating which tree goes first, and prints each figure's median (min–max) per tree and
# the ratio of medians this/BASE (bench/ab/report.ts).
#
# Invariants: needs root (bench:e2e makes namespaces); the worktree and temp files are
# removed on exit, failure or Ctrl-C; AB_WHAT="pipeline e2e" (default) picks the parts.
set -u
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO_ROOT="$(cd "$HERE/../.." && pwd)"
BASE="${1:-}"
ROUNDS="${2:-3}"
AB_WHAT="${AB_WHAT:-pipeline e2e}"
if [ -z "$BASE" ]; then echo "usage: npm run bench:ab -- BASE_COMMIT [ROUNDS]" >&2; exit 2; fi
if ! git -C "$REPO_ROOT" rev-parse -q --verify "$BASE^{commit}" >/dev/null; then
  echo "bench:ab: '$BASE' is not a commit of this repository" >&2; exit 2
fi
case "$AB_WHAT" in *e2e*) if [ "$(id -u)" != 0 ]; then echo "bench:ab: bench:e2e needs root (or AB_WHAT=pipeline)" >&2; exit 1; fi ;; esac

TMP="$(mktemp -d /tmp/sluice-ab.XXXXXX)"
WT="$TMP/base"
cleanup() {
  trap - EXIT INT TERM
  git -C "$REPO_ROOT" worktree remove --force "$WT" >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'echo "interrupted: cleaning up" >&2; exit 130' INT TERM

HEAD_ID="$(git -C "$REPO_ROOT" rev-parse --short HEAD)$(git -C "$REPO_ROOT" diff --quiet HEAD -- src native || echo '+changes')"
BASE_ID="$(git -C "$REPO_ROOT" rev-parse --short "$BASE")"
echo "bench:ab: this tree $HEAD_ID against $BASE_ID, $ROUNDS rounds of: $AB_WHAT ($(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg))" >&2
git -C "$REPO_ROOT" worktree add -q --detach "$WT" "$BASE" || { echo "bench:ab: git worktree add failed" >&2; exit 1; }
echo "bench:ab: building $BASE_ID (npm ci) and this tree (tsc)" >&2
(cd "$WT" && npm ci --no-audit --no-fund >"$TMP/npm-base.log" 2>&1) || { echo "bench:ab: npm ci at $BASE_ID failed; see the log:"; tail -5 "$TMP/npm-base.log"; exit 1; } >&2
(cd "$REPO_ROOT" && npx tsc -p tsconfig.json >"$TMP/tsc-head.log" 2>&1) || true

for r in $(seq 1 "$ROUNDS"); do
  if [ $((r % 2)) = 1 ]; then order="head base"; else order="base head"; fi
  case "$AB_WHAT" in *pipeline*)
    for t in $order; do
      dir="$REPO_ROOT"; [ "$t" = base ] && dir="$WT"
      echo "  round $r: bench:pipeline in $t" >&2
      (cd "$dir" && npx tsx bench/pipeline.ts >"$TMP/pipeline-$t-$r.txt" 2>&1) ||
        echo "  bench:pipeline in $t failed: $(tail -1 "$TMP/pipeline-$t-$r.txt")" >&2
    done ;;
  esac
  case "$AB_WHAT" in *e2e*)
    paths="sluice base ovs"; [ "$order" = "base head" ] && paths="base sluice ovs"
    echo "  round $r: bench:e2e ($paths)" >&2
    E2E_PATHS="$paths" E2E_ROUNDS=1 E2E_BASE_ROOT="$WT" E2E_NO_BUILD=1 E2E_RESULTS_OUT="$TMP/e2e-$r.tsv" \
      bash "$REPO_ROOT/bench/e2e/run.sh" >"$TMP/e2e-$r.txt" 2>&1 ||
      echo "  bench:e2e round $r failed: $(tail -1 "$TMP/e2e-$r.txt")" >&2 ;;
  esac
done
(cd "$REPO_ROOT" && npx tsx "$HERE/report.ts" "$TMP" "$ROUNDS" "$HEAD_ID" "$BASE_ID")
