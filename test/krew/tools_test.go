package krew_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// Where the kubectl binary comes from. KUBECTL_DIRECTUS_BIN names a directory of built tools,
// as printed by test/tools/build.sh; otherwise the test runs build.sh itself.
const envBin = "KUBECTL_DIRECTUS_BIN"

// repoRoot returns the repository root, two levels above this package.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	_, err = os.Stat(filepath.Join(root, "go.mod"))
	require.NoError(t, err, "the repository root must hold go.mod")
	return root
}

// findKubectl returns the kubectl built from the pinned k8s.io/kubernetes module.
func findKubectl(ctx context.Context, t *testing.T, root string) string {
	t.Helper()
	binDir := os.Getenv(envBin)
	if binDir == "" {
		binDir = runToolBuild(ctx, t, root)
	}

	kubectl := filepath.Join(binDir, "kubectl")
	_, err := os.Stat(kubectl)
	require.NoError(t, err, "no kubectl in %s: run test/tools/build.sh and set %s to the "+
		"directory it prints", binDir, envBin)
	return kubectl
}

// runToolBuild runs test/tools/build.sh, which is quick when its cache is warm, and returns
// the bin directory it prints.
func runToolBuild(ctx context.Context, t *testing.T, root string) string {
	t.Helper()
	script := filepath.Join(root, "test", "tools", "build.sh")
	var stdout bytes.Buffer
	cmd := exec.CommandContext(ctx, "bash", script)
	cmd.Stdout = &stdout
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Run(), "building the tools with %s", script)
	lines := strings.Fields(stdout.String())
	require.NotEmpty(t, lines, "%s printed no bin directory", script)
	return lines[len(lines)-1]
}

// buildKrew builds krew and its manifest validator from the tools module test/tools/krew into
// binDir, with kubectl beside them, so `kubectl krew` finds its plugin on PATH.
func buildKrew(ctx context.Context, t *testing.T, root, binDir, kubectl string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(binDir, 0o755))
	goCmd(ctx, t, filepath.Join(root, "test", "tools", "krew"), "build", "-o", binDir+"/",
		"sigs.k8s.io/krew/cmd/krew", "sigs.k8s.io/krew/cmd/validate-krew-manifest")

	krew := filepath.Join(binDir, "kubectl-krew")
	require.NoError(t, os.Rename(filepath.Join(binDir, "krew"), krew))
	require.NoError(t, os.Symlink(kubectl, filepath.Join(binDir, "kubectl")))
}

// goCmd runs the go command in dir with the caller's environment and returns its stdout.
func goCmd(ctx context.Context, t *testing.T, dir string, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Run(), "go %s in %s:\n%s", strings.Join(args, " "), dir, stderr.String())
	return stdout.String()
}

// requestLog is a loopback HTTP server that records every request it gets.
type requestLog struct {
	*httptest.Server
	mu       sync.Mutex
	requests []string
}

func (l *requestLog) record(r *http.Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.requests = append(l.requests, r.Method+" "+r.Host+r.URL.RequestURI())
}

// seen returns the requests recorded so far.
func (l *requestLog) seen() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.requests...)
}

// startProxySink starts a loopback server to name as the HTTP(S) proxy of krew and kubectl:
// any request they try to send off this machine lands here, is refused and recorded.
func startProxySink(t *testing.T) *requestLog {
	t.Helper()
	sink := &requestLog{}
	sink.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sink.record(r)
		http.Error(w, "no network in this test", http.StatusBadGateway)
	}))
	t.Cleanup(sink.Close)
	return sink
}

// serveDir serves the files of dir under /releases/ on a loopback address, recording each
// request.
func serveDir(t *testing.T, dir string) *requestLog {
	t.Helper()
	files := &requestLog{}
	fs := http.StripPrefix("/releases", http.FileServer(http.Dir(dir)))
	files.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		files.record(r)
		fs.ServeHTTP(w, r)
	}))
	t.Cleanup(files.Close)
	return files
}

// result is what a finished command printed.
type result struct {
	Stdout string
	Stderr string
}

// runIn runs name with args in a clean environment env and fails the test if it fails.
func runIn(ctx context.Context, t *testing.T, env []string, name string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	err := cmd.Run()
	require.NoError(t, err, "%s %s\nstdout:\n%s\nstderr:\n%s", name, strings.Join(args, " "),
		stdout.String(), stderr.String())
	return result{Stdout: stdout.String(), Stderr: stderr.String()}
}
