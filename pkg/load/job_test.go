package load

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func jobConfig(tool Tool) JobConfig {
	return JobConfig{RunID: "0a1b2c3d", Namespace: "web", Prefix: "directus", Tool: tool,
		URL: "http://directus-directus.web.svc", Concurrency: 50,
		Duration: 5 * time.Minute, Deadline: 11 * time.Minute}
}

func TestBuildJobShape(t *testing.T) {
	job, err := BuildJob(jobConfig(ToolWget))
	require.NoError(t, err)

	assert.Equal(t, "directus-load-0a1b2c3d", job.Name)
	assert.Equal(t, "web", job.Namespace)
	want := map[string]string{LabelManagedBy: "kubectl-directus", LabelRun: "0a1b2c3d",
		"app.kubernetes.io/name": "kubectl-directus-load"}
	assert.Equal(t, want, job.Labels)
	assert.Equal(t, want, job.Spec.Template.Labels, "pods carry the run labels too")
	assert.EqualValues(t, 0, *job.Spec.BackoffLimit)
	assert.EqualValues(t, 660, *job.Spec.ActiveDeadlineSeconds)
	assert.EqualValues(t, ttlAfterFinished, *job.Spec.TTLSecondsAfterFinished)

	pod := job.Spec.Template.Spec
	assert.Equal(t, "Never", string(pod.RestartPolicy))
	assert.True(t, *pod.SecurityContext.RunAsNonRoot)
	c := pod.Containers[0]
	assert.Equal(t, DefaultWgetImage, c.Image)
	assert.False(t, *c.SecurityContext.AllowPrivilegeEscalation)
	assert.True(t, *c.SecurityContext.ReadOnlyRootFilesystem)
	assert.Equal(t, "http://directus-directus.web.svc", c.Env[0].Value)
	assert.Equal(t, "64Mi", c.Resources.Limits.Memory().String())
}

func TestCommandPerTool(t *testing.T) {
	cases := []struct {
		tool          Tool
		requests      int64
		image         string
		command, args []string
	}{
		{tool: ToolAB, image: DefaultABImage, command: []string{"ab"},
			args: strings.Fields("-r -c 50 -t 300 -n 1000000 http://directus-directus.web.svc/")},
		{tool: ToolAB, requests: 2000, image: DefaultABImage, command: []string{"ab"},
			args: strings.Fields("-r -c 50 -n 2000 http://directus-directus.web.svc/")},
		{tool: ToolHey, image: DefaultHeyImage,
			args: strings.Fields("-c 50 -z 300s http://directus-directus.web.svc")},
		{tool: ToolHey, requests: 2000, image: DefaultHeyImage,
			args: strings.Fields("-c 50 -n 2000 http://directus-directus.web.svc")},
	}
	for _, tc := range cases {
		cfg := jobConfig(tc.tool)
		if tc.requests > 0 {
			cfg.Duration, cfg.Requests = 0, tc.requests
		}
		job, err := BuildJob(cfg)
		require.NoError(t, err)
		c := job.Spec.Template.Spec.Containers[0]
		assert.Equal(t, tc.image, c.Image)
		assert.Equal(t, tc.command, c.Command, "%s", tc.tool)
		assert.Equal(t, tc.args, c.Args, "%s", tc.tool)
	}
}

func TestWgetCommandUsesEnvForURL(t *testing.T) {
	cfg := jobConfig(ToolWget)
	cfg.URL = `http://x.svc/?q=$(reboot)"`
	command, args := Command(cfg)

	require.Equal(t, []string{"sh", "-c"}, command[:2])
	assert.Nil(t, args)
	assert.NotContains(t, command[2], "reboot", "the URL never enters the script text")
	assert.Contains(t, command[2], `"$LOAD_URL"`)
}

func TestJobConfigValidate(t *testing.T) {
	cases := map[string]struct {
		mutate func(*JobConfig)
		want   string
	}{
		"unknown tool": {func(c *JobConfig) { c.Tool = "curl" }, `unknown tool "curl"`},
		"concurrency":  {func(c *JobConfig) { c.Concurrency = 0 }, "at least 1"},
		"no bound":     {func(c *JobConfig) { c.Duration = 0 }, "exactly one"},
		"both bounds":  {func(c *JobConfig) { c.Requests = 10 }, "exactly one"},
		"few requests": {func(c *JobConfig) { c.Duration, c.Requests = 0, 10 },
			"below concurrency"},
		"bad url": {func(c *JobConfig) { c.URL = "directus:8055" }, "absolute http"},
		"hey rounding": {func(c *JobConfig) { c.Tool, c.Duration, c.Requests = ToolHey, 0, 120 },
			"would send 100: give a multiple of 50"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cfg := jobConfig(ToolWget)
			tc.mutate(&cfg)
			_, err := BuildJob(cfg)
			assert.ErrorContains(t, err, tc.want)
		})
	}
}

// TestToolCommandsAgainstLoopback runs each tool's real command line, as the Job's
// container would, against a loopback server and counts what arrives. It needs busybox, ab
// (Debian: busybox, apache2-utils) and hey (go install github.com/rakyll/hey@v0.1.4) on
// PATH; a missing tool skips its case and says so.
func TestToolCommandsAgainstLoopback(t *testing.T) {
	if testing.Short() {
		t.Skip("runs external load tools for seconds; run without -short")
	}
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		_, _ = w.Write([]byte("ok"))
	}))
	t.Cleanup(srv.Close)

	for _, tool := range Tools() {
		t.Run(string(tool)+"/requests", func(t *testing.T) {
			hits.Store(0)
			cfg := jobConfig(tool)
			cfg.URL, cfg.Concurrency, cfg.Duration, cfg.Requests = srv.URL, 3, 0, 31
			if tool == ToolHey {
				cfg.Requests = 30 // hey needs a multiple of the concurrency
			}
			runTool(t, cfg)
			assert.EqualValues(t, cfg.Requests, hits.Load())
		})
		t.Run(string(tool)+"/duration", func(t *testing.T) {
			hits.Store(0)
			cfg := jobConfig(tool)
			cfg.URL, cfg.Concurrency, cfg.Duration = srv.URL, 2, 2*time.Second
			elapsed := runTool(t, cfg)
			assert.Positive(t, hits.Load())
			assert.InDelta(t, 2, elapsed.Seconds(), 1.5, "the tool stops by itself")
		})
	}
}

// runTool runs cfg's container command locally with the container's environment. wget and
// date come from busybox, as in the busybox image.
func runTool(t *testing.T, cfg JobConfig) time.Duration {
	t.Helper()
	command, args := Command(cfg)
	if command == nil {
		command = []string{string(cfg.Tool)} // the hey image's entrypoint
	}
	path := toolPath(t, cfg.Tool)

	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, command[0], append(command[1:], args...)...)
	cmd.Env = []string{"PATH=" + path, urlEnv + "=" + cfg.URL}
	begin := time.Now()
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	return time.Since(begin)
}

func toolPath(t *testing.T, tool Tool) string {
	t.Helper()
	if tool != ToolWget {
		bin, err := exec.LookPath(string(tool))
		if err != nil {
			t.Skipf("%s is not on PATH; install it to run this case", tool)
		}
		return filepath.Dir(bin)
	}

	busybox, err := exec.LookPath("busybox")
	if err != nil {
		t.Skip("busybox is not on PATH; install it to run this case")
	}
	dir := t.TempDir()
	for _, applet := range []string{"sh", "wget", "date"} {
		require.NoError(t, os.Symlink(busybox, filepath.Join(dir, applet)))
	}
	return dir
}
