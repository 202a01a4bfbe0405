package e2e

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-directus/kubectl-directus/test/cluster"
)

// watchInterval is the --interval of the watch test; short, so the test is quick.
const watchInterval = 5 * time.Second

// watchSlack is what a refresh may take beyond its interval: one snapshot and one print.
const watchSlack = 3 * time.Second

// TestTopWatchShowsChange runs `top --watch` and changes one pod's memory usage: once the
// metrics API serves the new value, the next refresh, within one interval, prints the pod's
// line marked as changed with the new value.
func TestTopWatchShowsChange(t *testing.T) {
	c := cluster.Shared(t)
	plugin := cluster.Plugin(t)
	ns := c.Namespace(t)
	c.Apply(t, ns, shopDeployment+"---\n"+shopHPA)
	pods := waitReadyPods(t, c, ns, "app=shop", 3)
	waitPodMetrics(t, c, ns, pods[0], 3*time.Minute)

	lines := startWatch(t, plugin, c.Kubeconfig, "top", "-n", ns, "--watch",
		"--interval", watchInterval.String(), "--no-headers")
	waitLine(t, lines, 30*time.Second, func(l string) bool {
		return strings.Contains(l, pods[0])
	})

	c.SetPodUsage(t, ns, pods[0], "", "180Mi")
	c.WaitFor(t, 2*time.Minute, "metrics API to serve 180Mi", func(ctx context.Context) (bool,
		error) {
		m, err := c.Metrics().MetricsV1beta1().PodMetricses(ns).Get(ctx, pods[0],
			metav1.GetOptions{})
		if err != nil || len(m.Containers) == 0 {
			return false, err
		}
		return m.Containers[0].Usage.Memory().Value() == 180<<20, nil
	})
	served := time.Now()

	// a refresh between the scrape and the poll above may have printed it already: the
	// delay is then negative
	line := waitLine(t, lines, watchInterval+watchSlack, func(l string) bool {
		return strings.HasPrefix(l, "* ") && strings.Contains(l, pods[0]) &&
			strings.Contains(l, " 180Mi ")
	})
	t.Logf("change shown %s after the metrics API was seen serving it (interval %s): %q",
		line.at.Sub(served).Round(100*time.Millisecond), watchInterval, line.text)
}

// timedLine is one line of output and when it was read.
type timedLine struct {
	text string
	at   time.Time
}

// startWatch runs the plugin with args in the background and streams its stdout by line; the
// process is interrupted when the test ends.
func startWatch(t *testing.T, plugin, kubeconfig string, args ...string) <-chan timedLine {
	t.Helper()
	cmd := exec.Command(plugin, args...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())

	lines := make(chan timedLine, 1000)
	go func() {
		defer close(lines)
		scanner := bufio.NewScanner(stdout)
		for scanner.Scan() {
			lines <- timedLine{text: scanner.Text(), at: time.Now()}
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			assert.NoError(t, err, "the watch ends cleanly on Ctrl-C; stderr:\n%s", stderr.String())
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			t.Errorf("the watch did not stop on Ctrl-C")
		}
	})
	return lines
}

// waitLine reads lines until one matches, failing the test after timeout.
func waitLine(t *testing.T, lines <-chan timedLine, timeout time.Duration,
	match func(string) bool) timedLine {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("the watch ended before the expected line")
			}
			if match(l.text) {
				return l
			}
		case <-deadline:
			t.Fatalf("no matching line within %s", timeout)
		}
	}
}

// TestTopSaysWhyMetricsAreMissing breaks the metrics APIService: top still lists the pods
// with <unknown> usage, and says on stderr which APIService is unavailable and why.
func TestTopSaysWhyMetricsAreMissing(t *testing.T) {
	c := cluster.Shared(t)
	cluster.Plugin(t)
	ns := c.Namespace(t)
	c.Apply(t, ns, shopDeployment+"---\n"+shopHPA)
	waitReadyPods(t, c, ns, "app=shop", 3)

	c.BreakMetricsAPIService(t)
	c.WaitFor(t, time.Minute, "APIService MissingEndpoints",
		c.APIServiceUnavailable(cluster.MetricsAPIService, "MissingEndpoints"))

	stdout, stderr, err := c.Kubectl(t, "directus", "top", "-n", ns)
	require.NoError(t, err, stderr)
	assert.Contains(t, stderr, "notice: metrics are unavailable, usage shows as <unknown>: "+
		"APIService v1beta1.metrics.k8s.io is not available (Available=False MissingEndpoints: ")
	assert.Contains(t, stderr, "check Service kube-system/e2e-metrics-no-endpoints and its pods")
	assert.Equal(t, 3, strings.Count(stdout, "<unknown>   100m"), stdout)
}
