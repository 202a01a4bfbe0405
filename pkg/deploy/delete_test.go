package deploy

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var pvcGVR = schema.GroupVersionResource{Version: "v1", Resource: "persistentvolumeclaims"}

// deployedCluster returns a fake cluster holding release directus as deploy leaves it, with
// the database claim the StatefulSet controller would have made, and a second release.
func deployedCluster(t *testing.T) *fakeCluster {
	t.Helper()
	claim := &unstructured.Unstructured{}
	claim.SetAPIVersion("v1")
	claim.SetKind("PersistentVolumeClaim")
	claim.SetNamespace("cms")
	claim.SetName("data-directus-postgres-0")
	claim.SetLabels(map[string]string{LabelInstance: "directus", LabelManagedBy: ManagedByValue,
		LabelComponent: ComponentDatabase})
	f := newFakeCluster(t, []string{"cms"}, claim)

	_, _, err := applyRelease(t, f, DefaultOptions("cms"), 1)
	require.NoError(t, err)
	other := DefaultOptions("cms")
	other.Name = "blog"
	objs, err := Render(other, fixedSecret(t, 2))
	require.NoError(t, err)
	applier := newApplier(f, &bytes.Buffer{})
	applier.Release = "blog"
	_, err = applier.Apply(context.Background(), objs)
	require.NoError(t, err)
	return f
}

func newDeleter(f *fakeCluster, deleteData bool) *Deleter {
	return &Deleter{Clients: f.clients(), Release: "directus", Namespace: "cms",
		DeleteData: deleteData, Progress: &bytes.Buffer{}, PollInterval: time.Millisecond}
}

func refNames(refs []ObjectRef) []string {
	out := make([]string, 0, len(refs))
	for _, ref := range refs {
		out = append(out, ref.String())
	}
	return out
}

func TestDeleteKeepsTheClaimAndTheSecret(t *testing.T) {
	f := deployedCluster(t)
	result, err := newDeleter(f, false).Delete(context.Background())
	require.NoError(t, err)

	job := "job.batch/" + NamesFor("directus", DefaultImage).Bootstrap
	assert.Equal(t, []string{
		"horizontalpodautoscaler.autoscaling/directus-directus",
		"poddisruptionbudget.policy/directus-directus",
		"service/directus-directus", "service/directus-postgres", "service/directus-valkey",
		"deployment.apps/directus-directus", "deployment.apps/directus-valkey",
		job,
		"statefulset.apps/directus-postgres",
	}, sortedWithinKind(refNames(result.Deleted)))
	assert.Equal(t, []string{"persistentvolumeclaim/data-directus-postgres-0",
		"secret/directus-directus"}, refNames(result.Kept))

	assert.NotNil(t, f.get(t, secretsGVR, "cms", "directus-directus"))
	assert.NotNil(t, f.get(t, pvcGVR, "cms", "data-directus-postgres-0"))
	assert.Nil(t, f.get(t, deployGVR, "cms", "directus-directus"))
	assert.NotNil(t, f.get(t, deployGVR, "cms", "blog-directus"), "other releases stay")

	// Deleting again finds only the kept data: nothing more to do, and no error.
	again, err := newDeleter(f, false).Delete(context.Background())
	require.NoError(t, err)
	assert.Empty(t, again.Deleted)
	assert.Len(t, again.Kept, 2)
}

// sortedWithinKind keeps the order of kinds and sorts names within one kind, since a list
// returns them in no fixed order.
func sortedWithinKind(names []string) []string {
	out := append([]string(nil), names...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && kindOf(out[j]) == kindOf(out[j-1]) && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func kindOf(ref string) string {
	for i, c := range ref {
		if c == '/' {
			return ref[:i]
		}
	}
	return ref
}

func TestDeleteDataRemovesTheClaimAndTheSecret(t *testing.T) {
	f := deployedCluster(t)
	deleter := newDeleter(f, true)
	deleter.Wait = true
	result, err := deleter.Delete(context.Background())
	require.NoError(t, err)

	names := refNames(result.Deleted)
	assert.Contains(t, names, "persistentvolumeclaim/data-directus-postgres-0")
	assert.Equal(t, "secret/directus-directus", names[len(names)-1], "the Secret goes last")
	assert.Empty(t, result.Kept)
	assert.Nil(t, f.get(t, secretsGVR, "cms", "directus-directus"))
	assert.Nil(t, f.get(t, pvcGVR, "cms", "data-directus-postgres-0"))
	assert.NotNil(t, f.get(t, secretsGVR, "cms", "blog-directus"))
}

func TestDeleteUnknownRelease(t *testing.T) {
	f := deployedCluster(t)
	deleter := newDeleter(f, false)
	deleter.Release = "nothing"
	_, err := deleter.Delete(context.Background())
	require.Error(t, err)
	assert.Equal(t, `no release "nothing" in namespace "cms": no object carries the labels `+
		"app.kubernetes.io/instance=nothing,app.kubernetes.io/managed-by=kubectl-directus; "+
		"check NAME and -n", err.Error())
}

func TestDeleteForbidden(t *testing.T) {
	f := deployedCluster(t)
	f.forbidden["delete deployments.apps"] = true
	result, err := newDeleter(f, false).Delete(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), `not allowed to delete deployments.apps in namespace "cms"`)
	assert.Contains(t, err.Error(), "kubectl auth can-i delete deployments.apps -n cms")
	assert.Len(t, result.Deleted, 5, "what was deleted before is reported")
}
