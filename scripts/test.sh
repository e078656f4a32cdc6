#!/usr/bin/env bash
# The one test command (`npm test`): typecheck, lint and format check, then every test
# file under test/unit, test/integration and test/e2e with node's test runner, against
# one real environment (kube-apiserver + etcd + moto) started here and stopped on exit.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

echo "== typecheck, lint, format"
scripts/node node_modules/typescript/bin/tsc -p tsconfig.json --noEmit
scripts/node node_modules/eslint/bin/eslint.js --max-warnings 0 .
scripts/node node_modules/prettier/bin/prettier.cjs --check --log-level warn .

echo "== test environment"
test/env/provision.sh
export ALBATROSS_TESTENV_DIR
ALBATROSS_TESTENV_DIR=$(mktemp -d "${TMPDIR:-/tmp}/albatross-test.XXXXXX")
cleanup() {
  scripts/node test/env/cli.ts down || true
  rm -rf "$ALBATROSS_TESTENV_DIR"
}
trap cleanup EXIT
scripts/node test/env/cli.ts up >/dev/null
export ALBATROSS_TESTENV_STATE="$ALBATROSS_TESTENV_DIR/state.json"

echo "== tests"
mapfile -t files < <(find test/unit test/integration test/e2e -name '*.test.ts' 2>/dev/null | sort)
# One file at a time: integration files share the emulator, which each test resets.
scripts/node --test --test-concurrency=1 --test-reporter=spec "${files[@]}"
