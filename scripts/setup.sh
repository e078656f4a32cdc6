#!/usr/bin/env bash
# Makes the work tree runnable: Node 24 in .tools/ when the machine's Node is older,
# and node_modules matching package-lock.json. Idempotent and quiet when nothing to do;
# every npm script that runs code calls it first (through pre-scripts).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

want_major=24
tools="$root/.tools"

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(node_major node)" -lt "$want_major" ] && [ ! -x "$tools/node/bin/node" ]; then
  echo "setup: Node $(node --version 2>/dev/null || echo none) is older than ${want_major}; installing node@${want_major} from the npm registry into .tools/" >&2
  rm -rf "$tools/node-install"
  mkdir -p "$tools/node-install"
  npm install --silent --no-save --no-audit --no-fund --prefix "$tools/node-install" "node@${want_major}" >&2
  real=$(readlink -f "$tools/node-install/node_modules/node/bin/node")
  [ -x "$real" ] || { echo "setup: node@${want_major} installed no binary" >&2; exit 1; }
  mkdir -p "$tools/node/bin"
  ln -sf "$real" "$tools/node/bin/node"
fi

stamp="$root/node_modules/.albatross-lock-hash"
hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$hash" ]; then
  echo "setup: installing npm dependencies (npm ci)" >&2
  npm ci --silent --no-audit --no-fund >&2
  echo "$hash" > "$stamp"
fi
