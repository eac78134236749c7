#!/usr/bin/env bash
# Runs the whole suite (vitest, extra arguments passed on) and ends with the plain line
# "N passed, N failed" (a line "N skipped" before it when some were skipped), from vitest's
# JSON report. Exit status: vitest's. Used by `npm run test:all` and .ci/run.
set -uo pipefail
cd "$(dirname "$0")/.."
report=$(mktemp /tmp/sluice-test-report.XXXXXX.json)
npx vitest run --config test/vitest.config.ts --reporter=default --reporter=json --outputFile="$report" "$@"
status=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  if (skipped) console.log(`${skipped} skipped`);
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed`);
' "$report" || { echo "0 passed, 1 failed"; status=1; }
rm -f "$report"
exit $status
