package reliability

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	autoscalingv2 "k8s.io/api/autoscaling/v2"

	"github.com/kubectl-directus/kubectl-directus/pkg/diagnose"
	"github.com/kubectl-directus/kubectl-directus/test/cluster"
)

// doctorReport runs the doctor as JSON and returns its report; it must not fail (exit 1).
func doctorReport(t *testing.T, c *cluster.Cluster, args ...string) (*diagnose.Report, result) {
	t.Helper()
	res := plugin(t, c, 0, append([]string{"doctor", "-o", "json"}, args...)...)
	require.Contains(t, []int{0, 2}, res.Code, res.String())
	var report diagnose.Report
	require.NoError(t, json.Unmarshal([]byte(res.Stdout), &report), res.String())
	return &report, res
}

// findingIDs lists the IDs of the report's findings.
func findingIDs(report *diagnose.Report) []string {
	ids := make([]string, 0, len(report.Findings))
	for _, f := range report.Findings {
		ids = append(ids, f.ID+" "+f.Severity.String()+": "+f.Message)
	}
	return ids
}

// hasErrorAbout reports whether an error-level finding mentions every word.
func hasErrorAbout(report *diagnose.Report, words ...string) bool {
	for _, f := range report.Findings {
		text := strings.ToLower(f.Message + " " + strings.Join(f.Evidence, " "))
		all := f.Severity == diagnose.Error
		for _, w := range words {
			all = all && strings.Contains(text, strings.ToLower(w))
		}
		if all {
			return true
		}
	}
	return false
}

func TestMetricsAPIServiceWithoutEndpoints(t *testing.T) {
	c := cluster.Shared(t)
	ns := c.Namespace(t)
	measuredCMS(t, c, ns, "cms")

	c.BreakMetricsAPIService(t)
	c.WaitFor(t, time.Minute, "APIService without endpoints",
		c.APIServiceUnavailable(cluster.MetricsAPIService, "MissingEndpoints"))

	report, res := doctorReport(t, c, "-n", ns)
	assert.Equal(t, 2, res.Code)
	assert.True(t, hasErrorAbout(report, "endpoints"), "findings: %v", findingIDs(report))

	for _, args := range [][]string{{"top"}, {"explain", "cms"}} {
		res := plugin(t, c, 0, append(args, "-n", ns)...)
		assert.Equal(t, 0, res.Code, res.String())
		assert.Contains(t, strings.ToLower(res.Stdout+res.Stderr), "metrics", res.String())
	}

	// status reads only the HPA, so it tells once the controller has failed to get metrics.
	c.WaitHPA(t, ns, "cms", 2*time.Minute, func(hpa *autoscalingv2.HorizontalPodAutoscaler) bool {
		return !scalingActive(hpa)
	})
	status := plugin(t, c, 0, "status", "-n", ns)
	assert.Equal(t, 0, status.Code, status.String())
	assert.Contains(t, status.Stdout, "NO-METRICS", status.String())
}

func TestSlowMetricsServerIsReportedNotFatal(t *testing.T) {
	c := cluster.Shared(t)
	ns := c.Namespace(t)
	measuredCMS(t, c, ns, "cms")

	c.PauseMetricsServer(t)
	timeout := []string{"--request-timeout", "5s"}
	report, res := doctorReport(t, c, append([]string{"-n", ns}, timeout...)...)
	assert.Less(t, res.Elapsed, 30*time.Second, "a slow backend must cost one timeout")
	assert.True(t, hasErrorAbout(report, "metrics"), "findings: %v", findingIDs(report))

	for _, args := range [][]string{{"top"}, {"explain", "cms"}} {
		res := plugin(t, c, 0, append(append(args, "-n", ns), timeout...)...)
		assert.Equal(t, 0, res.Code, res.String())
		assert.Less(t, res.Elapsed, 30*time.Second)
		assert.Contains(t, strings.ToLower(res.Stdout+res.Stderr), "metrics", res.String())
	}
	status := plugin(t, c, 0, append([]string{"status", "-n", ns}, timeout...)...)
	assert.Equal(t, 0, status.Code, status.String(), "status reads no metrics: unaffected")
}

// watcher is a plugin run in --watch mode whose output the test reads as it comes.
type watcher struct {
	cmd   *exec.Cmd
	mu    sync.Mutex
	lines []string
	done  chan struct{}
}

// startWatch starts the plugin with args and collects stdout and stderr lines.
func startWatch(t *testing.T, c *cluster.Cluster, args ...string) *watcher {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), cluster.Plugin(t), args...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+c.Kubeconfig)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	w := &watcher{cmd: cmd, done: make(chan struct{})}
	require.NoError(t, cmd.Start())

	var wg sync.WaitGroup
	for _, r := range []io.Reader{stdout, stderr} {
		wg.Go(func() { w.collect(r) })
	}
	go func() { wg.Wait(); close(w.done) }()
	return w
}

func (w *watcher) collect(r io.Reader) {
	scanner := bufio.NewScanner(r)
	for scanner.Scan() {
		w.mu.Lock()
		w.lines = append(w.lines, scanner.Text())
		w.mu.Unlock()
	}
}

// seen returns a condition, for WaitFor, that holds once a line after from contains text.
func (w *watcher) seen(from int, text string) func(context.Context) (bool, error) {
	return func(context.Context) (bool, error) {
		w.mu.Lock()
		defer w.mu.Unlock()
		for _, line := range w.lines[min(from, len(w.lines)):] {
			if strings.Contains(strings.ToLower(line), strings.ToLower(text)) {
				return true, nil
			}
		}
		return false, nil
	}
}

// count is the number of lines read so far.
func (w *watcher) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.lines)
}

// stop sends Ctrl-C and returns the exit code.
func (w *watcher) stop(t *testing.T) int {
	t.Helper()
	require.NoError(t, w.cmd.Process.Signal(syscall.SIGINT))
	<-w.done
	err := w.cmd.Wait()
	if exit, ok := err.(*exec.ExitError); ok {
		return exit.ExitCode()
	}
	require.NoError(t, err)
	return 0
}

// output returns everything read so far.
func (w *watcher) output() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Join(w.lines, "\n")
}

func TestMetricsServerGoesAwayDuringWatch(t *testing.T) {
	c := cluster.Shared(t)
	ns := c.Namespace(t)
	measuredCMS(t, c, ns, "cms")

	w := startWatch(t, c, "top", "-n", ns, "--watch", "--interval", "2s",
		"--request-timeout", "5s")
	c.WaitFor(t, time.Minute, "a first frame with usage", w.seen(0, "cms-"))

	c.StopMetricsServer(t)
	from := w.count()
	c.WaitFor(t, 3*time.Minute, "a notice that metrics are missing", w.seen(from, "metrics"))

	c.StartMetricsServer(t)
	c.WaitFor(t, 3*time.Minute, "metrics API available again",
		c.APIServiceAvailable(cluster.MetricsAPIService))
	code := w.stop(t)
	assert.Equal(t, 0, code, w.output())
	assert.NotContains(t, w.output(), "panic")
	t.Logf("top --watch while metrics-server went away and came back:\n%s", w.output())
}
