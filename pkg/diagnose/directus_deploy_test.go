package diagnose

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubectl-directus/kubectl-directus/pkg/deploy"
	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// TestDeployManifestsPassTheChecks renders what `kubectl directus deploy` applies, as the
// cluster would hold it once running (Services with ready endpoints, three nodes), and
// requires no warning or error from the practice and Directus checks beyond the known gaps
// of the manifests, each of which must still be reported until the manifests close it.
func TestDeployManifestsPassTheChecks(t *testing.T) {
	// Known gap: deploy renders no shared storage for uploads, so each file lands on the pod
	// that received it. Closing it needs STORAGE_LOCATIONS on an object store (keys in the
	// release Secret) or a ReadWriteMany claim mounted at /directus/uploads; then drop this
	// entry.
	knownGaps := map[string]Severity{"DX07": Error}
	report := runChecks(renderedSnapshot(t))

	t.Logf("findings:\n%s", dumpFindings(report.Findings))
	for id, sev := range knownGaps {
		assertFindings(t, report, []expect{{ID: id, Severity: sev,
			Subject: "Deployment/shop/directus-directus"}}, nil)
	}
	for _, f := range report.Findings {
		if _, known := knownGaps[f.ID]; f.Severity >= Warning && !known {
			t.Errorf("%s %s on %s/%s: %s %q", f.ID, f.Severity, f.Subject.Kind, f.Subject.Name,
				f.Message, f.Evidence)
		}
	}
}

// renderedSnapshot is the product's release in namespace shop as a snapshot: the rendered
// objects but the Secret (a snapshot holds none), a ready endpoint per Service, and three
// nodes.
func renderedSnapshot(t *testing.T) *snapshot.Snapshot {
	t.Helper()
	secret, err := deploy.NewSecretValues(bytes.NewReader(bytes.Repeat([]byte{7}, 4096)))
	require.NoError(t, err)
	objs, err := deploy.Render(deploy.DefaultOptions("shop"), secret)
	require.NoError(t, err)

	snap := &snapshot.Snapshot{Taken: fixtureNow, Scope: snapshot.Scope{Namespace: "shop"}}
	for _, u := range objs {
		if u.GetKind() == "Secret" {
			continue
		}
		obj, err := fixtureScheme().New(u.GroupVersionKind())
		require.NoError(t, err, u.GroupVersionKind().String())
		require.NoError(t, runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, obj))
		addObject(t, snap, obj)
	}
	for _, svc := range snap.Services {
		snap.Endpoints = append(snap.Endpoints, readyEndpointSlice(svc))
	}
	snap.Nodes = fixtureNodes("node-a", "node-b", "node-c")
	return snap
}

func readyEndpointSlice(svc corev1.Service) discoveryv1.EndpointSlice {
	ready := true
	return discoveryv1.EndpointSlice{
		ObjectMeta: metav1.ObjectMeta{Name: svc.Name + "-x1", Namespace: svc.Namespace,
			Labels: map[string]string{discoveryv1.LabelServiceName: svc.Name}},
		Endpoints: []discoveryv1.Endpoint{{Addresses: []string{"127.0.0.1"},
			Conditions: discoveryv1.EndpointConditions{Ready: &ready}}},
	}
}

func fixtureNodes(names ...string) []corev1.Node {
	var out []corev1.Node
	for _, name := range names {
		out = append(out, corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name,
			Labels: map[string]string{"topology.kubernetes.io/zone": "zone-" + name}},
			Status: corev1.NodeStatus{
				Allocatable: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("4"),
					corev1.ResourceMemory: resource.MustParse("16Gi")},
				Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady,
					Status: corev1.ConditionTrue}}}})
	}
	return out
}
