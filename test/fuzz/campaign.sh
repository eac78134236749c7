#!/usr/bin/env bash
# The fuzz campaign of issue #13 §1: every target at 1,000,000 inputs, one after the
# other (niced: the machine may be shared), then openflow over real TCP at a smaller
# count. Prints the summary lines with the date, the machine and the commit, ready for
# the README's "Reliability" section. Exit status 1 when any run found something.
#   npm run fuzz:all              # COUNT=1000000 SEED=1
#   COUNT=100000 SEED=7 npm run fuzz:all
set -u -o pipefail
cd "$(dirname "$0")/../.."
COUNT=${COUNT:-1000000}
TCP_COUNT=${TCP_COUNT:-20000}
SEED=${SEED:-1}
status=0
out=$(mktemp)
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'); commit: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src test || echo '+changes')" | tee "$out"
for t in openflow openflow10 frames flow-syntax db; do
  nice -n 10 npx tsx test/fuzz/main.ts --target "$t" --count "$COUNT" --seed "$SEED" | tee -a "$out" || status=1
done
nice -n 10 npx tsx test/fuzz/main.ts --target openflow --transport tcp --count "$TCP_COUNT" --seed "$SEED" | tee -a "$out" || status=1
echo
echo "summary (npm run fuzz:all, COUNT=$COUNT SEED=$SEED):"
grep -E '^(date:|fuzz )' "$out"
rm -f "$out"
exit $status
