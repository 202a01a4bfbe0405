package reliability

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-directus/kubectl-directus/pkg/kube"
	"github.com/kubectl-directus/kubectl-directus/test/cluster"
)

// pluginAgent starts the user agent client-go gives the plugin binary.
const pluginAgent = "kubectl-directus/"

// result is what one run of the plugin binary left behind.
type result struct {
	Code     int
	Stdout   string
	Stderr   string
	Requests []string // from the plugin's own request log: "METHOD URI STATUS"
	Elapsed  time.Duration
}

// String describes the run for failure messages.
func (r result) String() string {
	return fmt.Sprintf("exit %d after %s\nstdout:\n%s\nstderr:\n%s", r.Code,
		r.Elapsed.Round(time.Millisecond), r.Stdout, r.Stderr)
}

// plugin runs the plugin binary against the cluster with its request log on, and stops it
// with SIGINT after stopAfter when that is not zero (for --watch).
func plugin(t *testing.T, c *cluster.Cluster, stopAfter time.Duration, args ...string) result {
	t.Helper()
	binary := cluster.Plugin(t)
	log := filepath.Join(t.TempDir(), "requests.log")
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()

	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+c.Kubeconfig, kube.EnvRequestLog+"="+log)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	began := time.Now()
	require.NoError(t, cmd.Start())
	if stopAfter > 0 {
		time.AfterFunc(stopAfter, func() { _ = cmd.Process.Signal(syscall.SIGINT) })
	}
	err := cmd.Wait()

	res := result{Stdout: stdout.String(), Stderr: stderr.String(), Elapsed: time.Since(began)}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		res.Code = exit.ExitCode()
	} else {
		require.NoError(t, err)
	}
	res.Requests = readLines(t, log)
	return res
}

// readLines returns the lines of a file, none when it does not exist.
func readLines(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	require.NoError(t, err)
	return strings.Split(strings.TrimSpace(string(data)), "\n")
}

// auditEvent is the part of an audit.k8s.io/v1 Event the tests read.
type auditEvent struct {
	AuditID   string `json:"auditID"`
	Verb      string `json:"verb"`
	URI       string `json:"requestURI"`
	UserAgent string `json:"userAgent"`
	User      struct {
		Username string `json:"username"`
	} `json:"user"`
	ImpersonatedUser *struct {
		Username string `json:"username"`
	} `json:"impersonatedUser"`
	Status *struct {
		Code int `json:"code"`
	} `json:"responseStatus"`
}

// auditMark is a position in the audit log.
type auditMark int64

// markAudit returns the audit log's current end.
func markAudit(t *testing.T, c *cluster.Cluster) auditMark {
	t.Helper()
	require.NotEmpty(t, c.AuditLog, "the cluster keeps no audit log")
	info, err := os.Stat(c.AuditLog)
	require.NoError(t, err)
	return auditMark(info.Size())
}

// pluginAudit returns the plugin's requests the API server audited since mark, one per
// request, after giving the last one a moment to be written.
func pluginAudit(t *testing.T, c *cluster.Cluster, mark auditMark) []auditEvent {
	t.Helper()
	time.Sleep(time.Second)
	f, err := os.Open(c.AuditLog)
	require.NoError(t, err)
	defer f.Close()
	_, err = f.Seek(int64(mark), 0)
	require.NoError(t, err)

	seen := map[string]bool{}
	var out []auditEvent
	scanner := bufio.NewScanner(f)
	scanner.Buffer(make([]byte, 1<<20), 16<<20)
	for scanner.Scan() {
		var ev auditEvent
		if json.Unmarshal(scanner.Bytes(), &ev) != nil || seen[ev.AuditID] ||
			!strings.HasPrefix(ev.UserAgent, pluginAgent) {
			continue
		}
		seen[ev.AuditID] = true
		out = append(out, ev)
	}
	require.NoError(t, scanner.Err())
	return out
}

// cmsManifest is a Deployment of two pods with usage, and the product's HPA over it.
func cmsManifest(name, cpuUsage string) string {
	return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata: {name: %[1]s}
spec:
  replicas: 2
  selector: {matchLabels: {app: %[1]s}}
  template:
    metadata:
      labels: {app: %[1]s}
      annotations: {kwok.x-k8s.io/usage-cpu: %[2]s, kwok.x-k8s.io/usage-memory: 200Mi}
    spec:
      containers:
      - name: directus
        image: directus/directus:11.12.0
        resources: {requests: {cpu: 250m, memory: 512Mi}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: %[1]s}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: %[1]s}
  minReplicas: 2
  maxReplicas: 10
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
  - type: Resource
    resource: {name: memory, target: {type: Utilization, averageUtilization: 80}}
`, name, cpuUsage)
}

// measuredCMS applies cmsManifest and waits until the controller computes from metrics.
func measuredCMS(t *testing.T, c *cluster.Cluster, ns, name string) {
	t.Helper()
	c.Apply(t, ns, cmsManifest(name, "150m"))
	c.WaitHPA(t, ns, name, 4*time.Minute, scalingActive)
}

// scalingActive holds once the controller computed a replica count from metrics.
func scalingActive(hpa *autoscalingv2.HorizontalPodAutoscaler) bool {
	for _, cond := range hpa.Status.Conditions {
		if cond.Type == autoscalingv2.ScalingActive {
			return cond.Status == corev1.ConditionTrue
		}
	}
	return false
}
