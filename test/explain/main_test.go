// Package explain checks the replica calculator against the real HPA controller on the local
// control plane: for generated scenarios, the predicted desired replica count must equal the
// one the controller writes. Run it with go test ./test/explain/ -timeout 30m.
package explain

import (
	"testing"

	"github.com/kubectl-directus/kubectl-directus/test/cluster"
)

func TestMain(m *testing.M) { cluster.Main(m) }
