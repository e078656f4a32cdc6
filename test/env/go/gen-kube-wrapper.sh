#!/usr/bin/env bash
# Writes go.mod for the kube-apiserver wrapper module. k8s.io/kubernetes maps its
# staging modules to ./staging/src with replace lines, which Go ignores in a dependency;
# the wrapper pins each one to its published v0.X.Y instead. The list is derived from
# the kubernetes module's own go.mod, so a version bump is one argument.
set -euo pipefail
version=${1:?usage: gen-kube-wrapper.sh v1.34.4}
here=$(cd "$(dirname "$0")" && pwd)
modfile=$(go mod download -json "k8s.io/kubernetes@${version}" | sed -n 's/.*"GoMod": "\(.*\)",*/\1/p')
staging_version="v0.${version#v1.}"
out="$here/kube-apiserver/go.mod"
{
  echo "module albatross.dev/testenv/kube-apiserver"
  echo
  echo "go 1.24.0"
  echo
  echo "require k8s.io/kubernetes ${version}"
  echo
  echo "replace ("
  grep -E '^\s*k8s\.io/[a-z0-9-]+ => \./staging/src/' "$modfile" | awk -v v="$staging_version" '{print "\t" $1 " => " $1 " " v}'
  echo ")"
} > "$out"
cd "$here/kube-apiserver"
go mod tidy
echo "wrote $out ($(grep -c ' => ' "$out") staging modules pinned to ${staging_version})"
