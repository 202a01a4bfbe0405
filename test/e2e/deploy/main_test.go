// Package deploye2e runs kubectl-directus deploy and delete, as a built binary, against the
// local control plane: the real API server, controllers (HPA, Job, StatefulSet, PV binder),
// scheduler and metrics-server, with kwok simulating nodes and pods.
package deploye2e

import (
	"testing"

	"github.com/kubectl-directus/kubectl-directus/test/cluster"
)

func TestMain(m *testing.M) { cluster.Main(m) }
