package deploye2e

import (
	"bytes"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-directus/kubectl-directus/test/cluster"
)

// limitedRole may do everything deploy needs except create Deployments.
const limitedRole = `apiVersion: v1
kind: ServiceAccount
metadata: {name: limited}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: no-deployment-create}
rules:
- apiGroups: [""]
  resources: [secrets, services, persistentvolumeclaims]
  verbs: [get, list, watch, create, patch, update, delete]
- apiGroups: [apps]
  resources: [statefulsets]
  verbs: [get, list, watch, create, patch, update, delete]
- apiGroups: [apps]
  resources: [deployments]
  verbs: [get, list, watch, patch, update, delete]
- apiGroups: [batch]
  resources: [jobs]
  verbs: [get, list, watch, create, patch, update, delete]
- apiGroups: [policy]
  resources: [poddisruptionbudgets]
  verbs: [get, list, watch, create, patch, update, delete]
- apiGroups: [autoscaling]
  resources: [horizontalpodautoscalers]
  verbs: [get, list, watch, create, patch, update, delete]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: limited}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: no-deployment-create}
subjects:
- {kind: ServiceAccount, name: limited}
`

func TestDeployWithoutRightsToCreateDeployments(t *testing.T) {
	c := cluster.Shared(t)
	ns := c.Namespace(t)
	c.Apply(t, ns, strings.ReplaceAll(limitedRole, "name: limited}",
		"name: limited, namespace: "+ns+"}"))

	r := directus(t, c, "deploy", "-n", ns, "--as", "system:serviceaccount:"+ns+":limited")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "error: missing permissions (RBAC): cannot create "+
		`deployments.apps in namespace "`+ns+`"; nothing was applied`)
	assert.Contains(t, r.stderr, "kubectl auth can-i create deployments.apps -n "+ns)
	assert.Equal(t, 1, strings.Count(r.stderr, "error:"), "one message")
	assert.NotContains(t, r.stderr, "goroutine", "no trace")
	assert.Empty(t, r.stdout)

	_, err := c.Client().CoreV1().Secrets(ns).Get(t.Context(), "directus-directus",
		metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err), "nothing may be applied: %v", err)
}

func TestDeployRefusesAForeignObject(t *testing.T) {
	c := cluster.Shared(t)
	ns := c.Namespace(t)
	c.Apply(t, ns, `apiVersion: v1
kind: Service
metadata: {name: directus-valkey}
spec:
  ports: [{port: 6379}]
`)
	r := directus(t, c, "deploy", "-n", ns)
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, `error: service/directus-valkey in namespace "`+ns+
		`" already exists and is not managed by kubectl-directus (managed by e2e): delete it, `+
		"or deploy under another NAME")
	_, err := c.Client().CoreV1().Secrets(ns).Get(t.Context(), "directus-directus",
		metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err), "nothing may be applied: %v", err)
}

func TestDeployUnknownNamespace(t *testing.T) {
	c := cluster.Shared(t)
	r := directus(t, c, "deploy", "-n", "no-such-namespace")
	assert.Equal(t, 1, r.code)
	assert.Equal(t, `error: namespace "no-such-namespace" not found: create it `+
		"(kubectl create namespace no-such-namespace) or choose another with -n\n", r.stderr)
}

// TestDeployServerDryRun checks a server dry run in an empty namespace: the API server
// validates every object, nothing is stored; metrics-server is left to the one running.
func TestDeployServerDryRun(t *testing.T) {
	c := cluster.Shared(t)
	ns := c.Namespace(t)
	r := directus(t, c, "deploy", "-n", ns, "--dry-run=server", "--with-metrics-server",
		"--custom-metric")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "(server dry run)")
	assert.Contains(t, summaryLine(r.stdout), "10 created, 0 changed, 0 unchanged, 9 skipped")
	assert.Contains(t, r.stderr, "metrics.k8s.io is already served by apiservice "+
		"v1beta1.metrics.k8s.io")
	assert.Contains(t, r.stderr, "warning: apiservice v1beta1.custom.metrics.k8s.io is not "+
		"registered")

	secrets, err := c.Client().CoreV1().Secrets(ns).List(t.Context(), metav1.ListOptions{})
	require.NoError(t, err)
	for _, s := range secrets.Items {
		assert.NotEqual(t, "directus-directus", s.Name, "a dry run stores nothing")
	}
	jobs, err := c.Client().BatchV1().Jobs(ns).List(t.Context(), metav1.ListOptions{})
	require.NoError(t, err)
	assert.Empty(t, jobs.Items)

	yaml := directus(t, c, "deploy", "-n", ns, "--dry-run=server", "-o", "yaml")
	require.Equal(t, 0, yaml.code, yaml.stderr)
	assert.Contains(t, yaml.stdout, "kind: HorizontalPodAutoscaler")
	assert.Contains(t, yaml.stdout, "terminationMessagePath: /dev/termination-log",
		"objects as the server returned them, with its defaults")
}

// TestDeployInterrupted sends SIGINT while deploy waits for the autoscaler's first metrics
// (about a minute on a new HPA), then runs deploy again, which completes the release.
func TestDeployInterrupted(t *testing.T) {
	c := cluster.Shared(t)
	ns := c.Namespace(t)
	staticVolume(t, c, ns, release)

	cmd := exec.CommandContext(t.Context(), cluster.Plugin(t), "deploy", "-n", ns, "--wait",
		"--kubeconfig", c.Kubeconfig)
	var stdout, stderr syncBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Start())

	deadline := time.Now().Add(3 * time.Minute)
	for !strings.Contains(stderr.String(), "to be active") && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	err := cmd.Wait()
	t.Logf("interrupted deploy:\nstdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())

	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, 1, exit.ExitCode())
	assert.Contains(t, stderr.String(), "error: interrupted at step 6/6 (rollout and "+
		"autoscaler status): waiting for horizontalpodautoscaler.autoscaling/directus-directus "+
		"to be active")
	assert.Contains(t, stderr.String(), "run the same deploy again to finish")
	assert.Contains(t, summaryLine(stdout.String()), "10 objects: 10 created")

	again := directus(t, c, "deploy", "-n", ns)
	require.Equal(t, 0, again.code, again.stderr)
	assert.Equal(t, "10 objects: 0 created, 0 changed, 10 unchanged", summaryLine(again.stdout))
	waitDeploymentReady(t, c, ns, "directus-directus")
}

// syncBuffer is a bytes.Buffer safe to read while a process writes to it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
