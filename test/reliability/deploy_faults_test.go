package reliability

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-directus/kubectl-directus/pkg/deploy"
	"github.com/kubectl-directus/kubectl-directus/test/cluster"
)

// release is the NAME every deploy here uses; its objects are named release-directus.
const release = "directus"

// releaseSecret and releaseDeployment are the names deploy gives the Secret and Directus.
const (
	releaseSecret     = "directus-directus"
	releaseDeployment = "directus-directus"
)

// databaseVolume creates a hostPath PersistentVolume reserved for the release's database
// claim in ns (the local control plane has no provisioner) and removes it when the test ends.
func databaseVolume(t *testing.T, c *cluster.Cluster, ns string) {
	t.Helper()
	pv := &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: ns + "-db"},
		Spec: corev1.PersistentVolumeSpec{
			Capacity:    corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("10Gi")},
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			ClaimRef: &corev1.ObjectReference{Namespace: ns, Name: "data-" + release + "-postgres-0",
				APIVersion: "v1", Kind: "PersistentVolumeClaim"},
			PersistentVolumeSource: corev1.PersistentVolumeSource{
				HostPath: &corev1.HostPathVolumeSource{Path: t.TempDir()}},
		},
	}
	volumes := c.Client().CoreV1().PersistentVolumes()
	_, err := volumes.Create(t.Context(), pv, metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := volumes.Delete(ctx, pv.Name, metav1.DeleteOptions{}); err != nil &&
			!apierrors.IsNotFound(err) {
			t.Errorf("deleting volume %s: %v", pv.Name, err)
		}
	})
}

// lockedBuffer is a bytes.Buffer a test may read while a process writes to it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// deployInterruptedAt runs deploy in ns and sends Ctrl-C as soon as it announces step k,
// returning its exit code and output.
func deployInterruptedAt(t *testing.T, c *cluster.Cluster, ns string, k int) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, cluster.Plugin(t), "deploy", "-n", ns)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+c.Kubeconfig)
	var out lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Start())

	announce := fmt.Sprintf("[%d/", k)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	for {
		select {
		case err := <-done:
			return exitCode(t, err), out.String()
		case <-time.After(10 * time.Millisecond):
		}
		if strings.Contains(out.String(), announce) {
			require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
			return exitCode(t, <-done), out.String()
		}
	}
}

// exitCode returns the exit code in err (0 for nil).
func exitCode(t *testing.T, err error) int {
	t.Helper()
	if exit, ok := err.(*exec.ExitError); ok {
		return exit.ExitCode()
	}
	require.NoError(t, err)
	return 0
}

// secretState is the release Secret's identity and values, or absent.
type secretState struct {
	UID  string
	Data map[string][]byte
}

// readSecretState reads the release Secret; ok is false when it does not exist yet.
func readSecretState(t *testing.T, c *cluster.Cluster, ns string) (secretState, bool) {
	t.Helper()
	s, err := c.Client().CoreV1().Secrets(ns).Get(t.Context(), releaseSecret, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return secretState{}, false
	}
	require.NoError(t, err)
	return secretState{UID: string(s.UID), Data: s.Data}, true
}

// assertSecretMatchesPods checks that Directus' pod template was stamped with the hash of the
// Secret's current values: the pods run on the values stored.
func assertSecretMatchesPods(t *testing.T, c *cluster.Cluster, ns string, s secretState) {
	t.Helper()
	d, err := c.Client().AppsV1().Deployments(ns).Get(t.Context(), releaseDeployment,
		metav1.GetOptions{})
	require.NoError(t, err)
	want := deploy.SecretValues(s.Data).Hash()
	assert.Equal(t, want, d.Spec.Template.Annotations[deploy.SecretHashAnnotation])
}

// stepCount reads how many steps deploy announced, from "[1/N] ...".
var stepCount = regexp.MustCompile(`\[1/(\d+)\]`)

func TestDeployInterruptedAtEveryStepThenCompleted(t *testing.T) {
	c := cluster.Shared(t)
	ns := c.Namespace(t)
	databaseVolume(t, c, ns)

	var first secretState
	var seen bool
	steps := 0
	for k := 1; steps == 0 || k <= steps; k++ {
		code, out := deployInterruptedAt(t, c, ns, k)
		t.Logf("deploy interrupted at step %d: exit %d\n%s", k, code, out)
		if m := stepCount.FindStringSubmatch(out); m != nil && steps == 0 {
			_, _ = fmt.Sscan(m[1], &steps)
		}
		require.NotZero(t, steps, "deploy announced no steps")
		assert.Contains(t, []int{0, 1}, code)
		if code == 1 {
			assert.Contains(t, out, "run the same deploy again")
		}

		now, exists := readSecretState(t, c, ns)
		switch {
		case exists && !seen:
			first, seen = now, true
		case seen:
			require.True(t, exists, "the Secret disappeared after step %d", k)
			assert.Equal(t, first, now, "the Secret changed after an interrupted step %d", k)
		}
	}

	final := plugin(t, c, 0, "deploy", "-n", ns)
	require.Equal(t, 0, final.Code, final.String())
	now, exists := readSecretState(t, c, ns)
	require.True(t, exists && seen)
	assert.Equal(t, first, now, "the Secret after the completing run")
	assertSecretMatchesPods(t, c, ns, now)
}

func TestConcurrentDeploysDoNotCorruptTheRelease(t *testing.T) {
	c := cluster.Shared(t)
	ns := c.Namespace(t)
	databaseVolume(t, c, ns)

	results := make([]result, 2)
	var wg sync.WaitGroup
	for i := range results {
		wg.Go(func() { results[i] = plugin(t, c, 0, "deploy", "-n", ns) })
	}
	wg.Wait()
	for i, r := range results {
		t.Logf("concurrent deploy %d: %s", i, r.String())
		assert.Equal(t, 0, r.Code, "a second deploy at the same time must still succeed")
	}

	secrets, err := c.Client().CoreV1().Secrets(ns).List(t.Context(), metav1.ListOptions{})
	require.NoError(t, err)
	count := 0
	for _, s := range secrets.Items {
		if s.Name == releaseSecret {
			count++
		}
	}
	require.Equal(t, 1, count)
	s, _ := readSecretState(t, c, ns)
	assert.Empty(t, deploy.SecretValues(s.Data).Missing())
	assertSecretMatchesPods(t, c, ns, s)

	again := plugin(t, c, 0, "deploy", "-n", ns)
	require.Equal(t, 0, again.Code, again.String())
	assert.Regexp(t, `objects: 0 created, 0 changed, \d+ unchanged`, again.Stdout)
	after, _ := readSecretState(t, c, ns)
	assert.Equal(t, s, after)
}
