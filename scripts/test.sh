#!/usr/bin/env bash
# The one test command: typecheck, lint, then every test file with node's test runner.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/node node_modules/typescript/bin/tsc -p tsconfig.json --noEmit
scripts/node node_modules/eslint/bin/eslint.js --max-warnings 0 .
mapfile -t files < <(find test/unit -name '*.test.ts' | sort)
scripts/node --test --test-reporter=spec "${files[@]}"
