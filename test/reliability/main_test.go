// Package reliability runs the plugin against a local control plane whose API server keeps an
// audit log, under faults and with hostile objects: the read-only verbs must send nothing but
// reads, survive missing permissions and a failing metrics pipeline, and deploy must survive
// interruption. Run it with go test ./test/reliability/ -timeout 30m (see package cluster for
// the tools it needs).
package reliability

import (
	"testing"

	"github.com/kubectl-directus/kubectl-directus/test/cluster"
)

// auditPolicy records every request but lease renewals at Metadata level once answered.
const auditPolicy = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
- level: None
  resources:
  - group: coordination.k8s.io
    resources: ["leases"]
- level: Metadata
`

func TestMain(m *testing.M) {
	cluster.MainWith(m, cluster.Options{AuditPolicy: auditPolicy})
}
