//go:build tools

// Package tools pins kube-apiserver as a dependency of this wrapper module, so that
// `go build k8s.io/kubernetes/cmd/kube-apiserver` resolves through the replace lines in
// go.mod. Nothing here is compiled.
package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
