#!/usr/bin/env bash
# The one test command (README, .ci/run): boundaries, types, build, then every test.
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_OPTIONS="--no-node-snapshot ${NODE_OPTIONS:-}"
export NX_DAEMON=false NX_NO_CLOUD=true NEXT_TELEMETRY_DISABLED=1

bash scripts/ensure-system-deps.sh
mkdir -p tmp

echo "== lint (module boundaries)"
npx nx graph --file=tmp/project-graph.json >/dev/null
npx eslint . --max-warnings=0

echo "== typecheck"
npx tsc -p tsconfig.json --noEmit

echo "== build"
npx nx run-many -t build --output-style=static

echo "== tests"
status=0
npx jest --ci --maxWorkers=2 --json --outputFile=tmp/jest-results.json "$@" || status=$?
node -e '
const r = require("./tmp/jest-results.json");
console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
'
exit $status
