#!/usr/bin/env bash
# Provisions the local test environment's binaries, once per machine and version:
#   etcd and kube-apiserver, built from their Go modules through the wrapper modules in
#   test/env/go, helm (for the chart's tests) with a plain `go install` of its module,
#   and moto in a Python virtual environment.
# Cache: $ALBATROSS_CACHE_DIR (default ~/.cache/albatross), outside the work tree.
# Prints nothing when everything is already there. Safe to run concurrently (flock).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=versions.env
. "$here/versions.env"
cache=${ALBATROSS_CACHE_DIR:-$HOME/.cache/albatross}
mkdir -p "$cache/bin" "$cache/venv" "$cache/logs"

etcd_bin="$cache/bin/etcd-$ETCD_VERSION"
kube_bin="$cache/bin/kube-apiserver-$KUBE_VERSION"
helm_bin="$cache/bin/helm-$HELM_VERSION"
moto_venv="$cache/venv/moto-$MOTO_VERSION"

have_all() {
  [ -x "$etcd_bin" ] && [ -x "$kube_bin" ] && [ -x "$helm_bin" ] && [ -x "$moto_venv/bin/moto_server" ]
}
if have_all; then exit 0; fi

exec 9>"$cache/provision.lock"
flock 9
if have_all; then exit 0; fi

need() {
  command -v "$1" >/dev/null 2>&1 || {
    echo "testenv: '$1' is required to provision the test environment: $2" >&2
    exit 1
  }
}

log() { printf 'testenv: %s\n' "$*" >&2; }

build_go() { # name module-dir package output
  local name=$1 dir=$2 pkg=$3 out=$4 started
  need go "install Go 1.24 or newer (https://go.dev/doc/install or your distribution's golang package)"
  started=$(date +%s)
  log "building $name from its Go module (first run on this machine only; takes minutes)"
  (
    cd "$here/go/$dir"
    GOFLAGS=-mod=mod go build -trimpath -o "$out.tmp" "$pkg"
  ) >"$cache/logs/build-$name.log" 2>&1 || {
    log "building $name failed; last lines of $cache/logs/build-$name.log:"
    tail -n 20 "$cache/logs/build-$name.log" >&2
    exit 1
  }
  mv "$out.tmp" "$out"
  log "built $name in $(($(date +%s) - started)) s"
}

[ -x "$etcd_bin" ] || build_go etcd etcd go.etcd.io/etcd/server/v3 "$etcd_bin"
[ -x "$kube_bin" ] || build_go kube-apiserver kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver "$kube_bin"

# helm's go.mod has no replace directives, so `go install module@version` builds it
# without a wrapper module; GOBIN is a scratch folder so the binary lands under its key.
# The version is stamped as helm's own Makefile does, so `helm version` names it.
if [ ! -x "$helm_bin" ]; then
  need go "install Go 1.24 or newer (https://go.dev/doc/install or your distribution's golang package)"
  started=$(date +%s)
  log "building helm $HELM_VERSION from its Go module (first run on this machine only)"
  rm -rf "$cache/bin/helm.tmp"
  GOBIN="$cache/bin/helm.tmp" GOFLAGS=-trimpath go install \
    -ldflags "-X helm.sh/helm/v4/internal/version.version=$HELM_VERSION" \
    "helm.sh/helm/v4/cmd/helm@$HELM_VERSION" \
    >"$cache/logs/build-helm.log" 2>&1 || {
    log "building helm failed; last lines of $cache/logs/build-helm.log:"
    tail -n 20 "$cache/logs/build-helm.log" >&2
    exit 1
  }
  mv "$cache/bin/helm.tmp/helm" "$helm_bin"
  rmdir "$cache/bin/helm.tmp"
  log "built helm in $(($(date +%s) - started)) s"
fi

if [ ! -x "$moto_venv/bin/moto_server" ]; then
  need python3 "install Python 3.9 or newer with the venv module (Debian: apt-get install python3 python3-venv)"
  log "installing moto $MOTO_VERSION into $moto_venv"
  rm -rf "$moto_venv.tmp"
  python3 -m venv "$moto_venv.tmp" >"$cache/logs/moto-install.log" 2>&1 || {
    log "python3 -m venv failed (Debian: apt-get install python3-venv); see $cache/logs/moto-install.log"
    exit 1
  }
  "$moto_venv.tmp/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION" \
    >>"$cache/logs/moto-install.log" 2>&1 || {
    log "pip install moto failed; last lines of $cache/logs/moto-install.log:"
    tail -n 20 "$cache/logs/moto-install.log" >&2
    exit 1
  }
  # A venv is not relocatable: rebuild it at its final path rather than moving it.
  rm -rf "$moto_venv.tmp"
  python3 -m venv "$moto_venv"
  "$moto_venv/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION" \
    >>"$cache/logs/moto-install.log" 2>&1
fi
