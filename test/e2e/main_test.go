// Package e2e runs the plugin and the harness against the local control plane. Run it with
// go test ./test/e2e/ -timeout 30m (see package cluster for the tools it needs).
package e2e

import (
	"testing"

	"github.com/kubectl-directus/kubectl-directus/test/cluster"
)

func TestMain(m *testing.M) { cluster.Main(m) }
