//go:build tools

// Package tools pins etcd's server module (its main package is the module root) so that
// `go build go.etcd.io/etcd/server/v3` builds it. Nothing here is compiled.
package tools

import _ "go.etcd.io/etcd/server/v3"
