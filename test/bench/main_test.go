// Package bench measures the read-only verbs against kubectl on a simulated cluster the size
// of a large production one: 1,000 HPAs over 1,000 Deployments in 10 namespaces, 10,000
// pods with usage, and their events. Run it with `make bench`; it is not part of the test
// suite. Sizes can be lowered for a quick look with the KUBECTL_DIRECTUS_BENCH_* variables
// (see specFromEnv).
package bench

import (
	"testing"

	"github.com/kubectl-directus/kubectl-directus/test/cluster"
)

// auditPolicy records every request but node lease renewals at Metadata level, once it has
// been answered, so that each command's requests can be counted on the server side too.
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

// componentArgs size the control plane for 10,000 pods on two cores. The controller manager
// may adopt 11,000 objects in seconds instead of minutes, and syncs each HPA every minute
// instead of every 15 s; metrics-server scrapes every minute and gives kwok, which computes
// the usage of 500 pods per node, most of that minute to answer.
func componentArgs() map[string]map[string]string {
	return map[string]map[string]string{
		"kube-controller-manager": {
			"kube-api-qps":                          "300",
			"kube-api-burst":                        "600",
			"horizontal-pod-autoscaler-sync-period": "60s",
		},
		"metrics-server": {
			"metric-resolution":       "60s",
			"kubelet-request-timeout": "50s",
		},
	}
}

func TestMain(m *testing.M) {
	cluster.MainWith(m, cluster.Options{
		AuditPolicy:    auditPolicy,
		ComponentArgs:  componentArgs(),
		PodParallelism: 32,
	})
}
