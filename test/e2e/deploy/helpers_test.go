package deploye2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-directus/kubectl-directus/test/cluster"
)

// pluginTimeout bounds one run of the plugin binary.
const pluginTimeout = 6 * time.Minute

// result is one run of the plugin binary.
type result struct {
	code           int
	stdout, stderr string
	took           time.Duration
}

// directus runs the built plugin with --kubeconfig pointing at the cluster.
func directus(t *testing.T, c *cluster.Cluster, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), pluginTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, cluster.Plugin(t), append(args, "--kubeconfig",
		c.Kubeconfig)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr

	start := time.Now()
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String(), took: time.Since(start)}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		r.code = exit.ExitCode()
	} else {
		require.NoError(t, err)
	}
	t.Logf("kubectl-directus %s: exit %d in %s\nstdout:\n%s\nstderr:\n%s",
		strings.Join(args, " "), r.code, r.took.Round(time.Millisecond), r.stdout, r.stderr)
	return r
}

// claimName is the volume claim the PostgreSQL StatefulSet of release makes.
func claimName(release string) string { return "data-" + release + "-postgres-0" }

// staticVolume creates a hostPath PersistentVolume reserved for the database claim of
// release in ns: the local control plane has no storage provisioner. The claim asks for no
// class, so with no default class it binds a volume of class "".
func staticVolume(t *testing.T, c *cluster.Cluster, ns, release string) {
	t.Helper()
	pv := &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: ns + "-" + release + "-db"},
		Spec: corev1.PersistentVolumeSpec{
			Capacity:                      corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("10Gi")},
			AccessModes:                   []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			PersistentVolumeReclaimPolicy: corev1.PersistentVolumeReclaimRetain,
			StorageClassName:              "",
			ClaimRef: &corev1.ObjectReference{Namespace: ns, Name: claimName(release),
				APIVersion: "v1", Kind: "PersistentVolumeClaim"},
			PersistentVolumeSource: corev1.PersistentVolumeSource{
				HostPath: &corev1.HostPathVolumeSource{Path: t.TempDir()}},
		},
	}
	_, err := c.Client().CoreV1().PersistentVolumes().Create(t.Context(), pv, metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		err := c.Client().CoreV1().PersistentVolumes().Delete(ctx, pv.Name, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("deleting volume %s: %v", pv.Name, err)
		}
	})
}

// ownsField reports whether manager owns the field at path (e.g. "f:spec", "f:replicas") of
// an object's managed fields.
func ownsField(t *testing.T, entries []metav1.ManagedFieldsEntry, manager string,
	path ...string) bool {
	t.Helper()
	for _, entry := range entries {
		if entry.Manager != manager || entry.FieldsV1 == nil {
			continue
		}
		var fields map[string]any
		require.NoError(t, json.Unmarshal(entry.FieldsV1.Raw, &fields))
		node := fields
		found := true
		for _, key := range path {
			next, ok := node[key].(map[string]any)
			if !ok {
				found = false
				break
			}
			node = next
		}
		if found {
			return true
		}
	}
	return false
}

// summaryLine returns the last line of a deploy's stdout, its totals.
func summaryLine(stdout string) string {
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	return lines[len(lines)-1]
}
