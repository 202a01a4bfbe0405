package reliability

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubectl-directus/kubectl-directus/pkg/diagnose"
	"github.com/kubectl-directus/kubectl-directus/test/cluster"
)

// readerRBAC is a ServiceAccount that may read HPAs, pods and events in its namespace, and
// nothing else anywhere; it may list pods and events but not watch them.
func readerRBAC(ns string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: ServiceAccount
metadata: {name: reader, namespace: %[1]s}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: %[1]s}
rules:
- apiGroups: [autoscaling]
  resources: [horizontalpodautoscalers]
  verbs: [get, list, watch]
- apiGroups: [""]
  resources: [pods, events]
  verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader, namespace: %[1]s}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects:
- {kind: ServiceAccount, name: reader, namespace: %[1]s}
`, ns)
}

// missingPermission is how a gap names the permission it lacked.
var missingPermission = regexp.MustCompile(
	`missing permission: (get|list|watch) [a-z0-9.]+( /[a-z]+)? (in namespace \S+|cluster-wide)`)

func TestRestrictedServiceAccount(t *testing.T) {
	c := cluster.Shared(t)
	ns := c.Namespace(t)
	measuredCMS(t, c, ns, "cms")
	c.Apply(t, ns, readerRBAC(ns))
	as := "system:serviceaccount:" + ns + ":reader"

	t.Run("doctor", func(t *testing.T) { restrictedDoctor(t, c, ns, as) })
	for _, args := range [][]string{
		{"top", "-n", ns}, {"status", "-n", ns}, {"events", "-n", ns}, {"explain", "cms", "-n", ns},
	} {
		t.Run(args[0], func(t *testing.T) {
			res := plugin(t, c, 0, append(args, "--as", as)...)
			t.Log(res.String())
			assert.Equal(t, 0, res.Code, res.String())
			assert.NotContains(t, res.Stderr, "panic")
			assert.NotEmpty(t, res.Stdout)
			assert.Regexp(t, missingPermission, res.Stdout+res.Stderr)
			// What the reader cannot see is unknown, not absent or broken.
			assert.NotContains(t, res.Stdout, "does not exist")
			assert.NotContains(t, res.Stdout, "not found")
			assert.NotContains(t, res.Stdout, "FailedGetScale")
		})
	}
}

// viewerRBAC binds the built-in view ClusterRole in the namespace only: everything there is
// readable, nothing cluster-wide is.
func viewerRBAC(ns string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: ServiceAccount
metadata: {name: viewer, namespace: %[1]s}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: viewer, namespace: %[1]s}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
- {kind: ServiceAccount, name: viewer, namespace: %[1]s}
`, ns)
}

func TestNamespaceViewerGetsEveryNamespacedCheck(t *testing.T) {
	c := cluster.Shared(t)
	ns := c.Namespace(t)
	measuredCMS(t, c, ns, "cms")
	c.Apply(t, ns, viewerRBAC(ns))
	as := "system:serviceaccount:" + ns + ":viewer"

	report, res := doctorReport(t, c, "-n", ns, "--as", as)
	granted := []string{"deployments.apps", "replicasets.apps", "statefulsets.apps", "pods",
		"events", "horizontalpodautoscalers.autoscaling"}
	for _, nc := range report.CouldNotCheck {
		assert.Regexp(t, missingPermission, nc.Reason, "check %s", nc.ID)
		for _, resource := range granted {
			assert.NotContains(t, nc.Reason, "list "+resource+" ",
				"check %s lacked a read the viewer has", nc.ID)
		}
	}
	ran := map[string]bool{}
	for _, r := range report.Checked {
		ran[r.ID] = true
	}
	for _, id := range []string{"HPA-TGT-001", "HPA-TGT-005", "HPA-REQ-001", "HPA-STA-001"} {
		assert.True(t, ran[id], "check %s needs only namespaced reads: it must run", id)
	}
	t.Logf("doctor as a namespace viewer: %d could not check; %s", len(report.CouldNotCheck),
		res.String())

	top := plugin(t, c, 0, "top", "-n", ns, "--as", as)
	assert.Equal(t, 0, top.Code, top.String())
	assert.Contains(t, top.Stdout, "cms-", "the viewer sees the HPA's pods")
}

// restrictedDoctor runs the doctor as the reader: the checks it could not run name the
// permission, the others still report.
func restrictedDoctor(t *testing.T, c *cluster.Cluster, ns, as string) {
	res := plugin(t, c, 0, "doctor", "-n", ns, "-o", "json", "--as", as)
	require.Contains(t, []int{0, 2}, res.Code, res.String())
	var report diagnose.Report
	require.NoError(t, json.Unmarshal([]byte(res.Stdout), &report), res.String())

	require.NotEmpty(t, report.CouldNotCheck, "a reader without deployments must miss checks")
	lacked := map[string]bool{}
	for _, nc := range report.CouldNotCheck {
		assert.Regexp(t, missingPermission, nc.Reason, "check %s", nc.ID)
		lacked[strings.Fields(nc.Reason)[3]] = true
	}
	for _, res := range []string{"deployments.apps", "pods.metrics.k8s.io"} {
		assert.True(t, lacked[res], "no check says it lacked %s: %v", res, lacked)
	}
	for _, res := range []string{"pods", "events"} {
		assert.False(t, lacked[res], "the reader may list %s (not watch them): %v", res, lacked)
	}
	ran := 0
	for _, r := range report.Checked {
		if r.Subject != nil && r.Subject.Name == "cms" {
			ran++
		}
	}
	assert.Positive(t, ran, "the checks that could read what they need still report")
	t.Logf("doctor as %s: %d checks ran on the HPA, %d could not: %v", as, ran,
		len(report.CouldNotCheck), lacked)
}
