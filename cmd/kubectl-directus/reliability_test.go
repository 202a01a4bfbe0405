package main

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// readVerbs are the read-only verbs with the arguments each needs.
func readVerbs() map[string][]string {
	return map[string][]string{
		"doctor":  {"doctor"},
		"top":     {"top"},
		"status":  {"status"},
		"events":  {"events"},
		"explain": {"explain", "web"},
	}
}

// allVerbs are the read-only verbs and deploy.
func allVerbs() map[string][]string {
	verbs := readVerbs()
	verbs["deploy"] = []string{"deploy"}
	return verbs
}

// writeKubeconfig writes a kubeconfig for server (an http:// loopback URL) with one context,
// "test", whose namespace is shop, and returns its path.
func writeKubeconfig(t *testing.T, server string) string {
	t.Helper()
	config := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: test
  cluster: {server: %q}
contexts:
- name: test
  context: {cluster: test, user: test, namespace: shop}
current-context: test
users:
- name: test
  user: {token: not-a-secret}
`, server)
	path := filepath.Join(t.TempDir(), "kubeconfig")
	require.NoError(t, os.WriteFile(path, []byte(config), 0o600))
	return path
}

// closedPort returns a loopback URL on which nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return "http://" + addr
}

// silentServer returns a loopback server that accepts every request and never answers.
func silentServer(t *testing.T) string {
	t.Helper()
	server := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	t.Cleanup(server.Close)
	return server.URL
}

// runResult is what one in-process run of the plugin left behind.
type runResult struct {
	code    int
	stdout  string
	stderr  string
	elapsed time.Duration
}

// runBounded runs the plugin in-process with args and a deadline; a run past it fails the
// test as a hang.
func runBounded(t *testing.T, deadline time.Duration, args ...string) runResult {
	t.Helper()
	streams, _, out, errOut := genericiooptions.NewTestIOStreams()
	done := make(chan int, 1)
	began := time.Now()
	go func() { done <- run(args, streams) }()

	select {
	case code := <-done:
		return runResult{code: code, stdout: out.String(), stderr: errOut.String(),
			elapsed: time.Since(began)}
	case <-time.After(deadline):
		t.Fatalf("kubectl directus %s still running after %s", strings.Join(args, " "), deadline)
		return runResult{}
	}
}

// assertOneErrorLine checks that a run failed with exit 1 and exactly one line on stderr,
// "error: ...", containing every want.
func assertOneErrorLine(t *testing.T, res runResult, want ...string) {
	t.Helper()
	assert.Equal(t, exitFailed, res.code, "stderr: %s", res.stderr)
	assert.Empty(t, res.stdout)
	lines := strings.Split(strings.TrimRight(res.stderr, "\n"), "\n")
	require.Len(t, lines, 1, "stderr: %q", res.stderr)
	assert.True(t, strings.HasPrefix(lines[0], "error: "), lines[0])
	for _, w := range want {
		assert.Contains(t, lines[0], w)
	}
}

func TestUnreachableAPIServerFailsFastWithOneLine(t *testing.T) {
	server := closedPort(t)
	kubeconfig := writeKubeconfig(t, server)
	for name, args := range allVerbs() {
		t.Run(name, func(t *testing.T) {
			res := runBounded(t, 10*time.Second, append(args, "--kubeconfig", kubeconfig,
				"--request-timeout", "2s")...)
			assertOneErrorLine(t, res, "cannot reach", strings.TrimPrefix(server, "http://"),
				"connection refused")
		})
	}
}

func TestSilentAPIServerFailsWithinTheRequestTimeout(t *testing.T) {
	server := silentServer(t)
	kubeconfig := writeKubeconfig(t, server)
	const timeout = 2 * time.Second
	for name, args := range allVerbs() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res := runBounded(t, 4*timeout, append(args, "--kubeconfig", kubeconfig,
				"--request-timeout", timeout.String())...)
			assertOneErrorLine(t, res, strings.TrimPrefix(server, "http://"), "--request-timeout")
			assert.Less(t, res.elapsed, 2*timeout, "one timeout, not one per request")
		})
	}
}

// notFoundServer answers every request with the API server's 404 for a missing namespace.
func notFoundServer(t *testing.T, namespace string) string {
	t.Helper()
	body := fmt.Sprintf(`{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",`+
		`"message":"namespaces %q not found","reason":"NotFound",`+
		`"details":{"name":%q,"kind":"namespaces"},"code":404}`, namespace, namespace)
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(server.Close)
	return server.URL
}

func TestBrokenKubeconfigIsOneLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kubeconfig")
	require.NoError(t, os.WriteFile(path, []byte("clusters: [this is not: a kubeconfig\n"), 0o600))
	for name, args := range allVerbs() {
		t.Run(name, func(t *testing.T) {
			res := runBounded(t, 10*time.Second, append(args, "--kubeconfig", path)...)
			assertOneErrorLine(t, res, path)
		})
	}
}

func TestMissingKubeconfigIsOneLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "absent")
	for name, args := range allVerbs() {
		t.Run(name, func(t *testing.T) {
			res := runBounded(t, 10*time.Second, append(args, "--kubeconfig", path)...)
			assertOneErrorLine(t, res, path)
		})
	}
}

func TestUnknownContextIsOneLine(t *testing.T) {
	kubeconfig := writeKubeconfig(t, closedPort(t))
	for name, args := range allVerbs() {
		t.Run(name, func(t *testing.T) {
			res := runBounded(t, 10*time.Second, append(args, "--kubeconfig", kubeconfig,
				"--context", "staging")...)
			assertOneErrorLine(t, res, `"staging"`, "context")
		})
	}
}

func TestMissingNamespaceIsOneLine(t *testing.T) {
	kubeconfig := writeKubeconfig(t, notFoundServer(t, "nope"))
	for name, args := range allVerbs() {
		t.Run(name, func(t *testing.T) {
			res := runBounded(t, 10*time.Second, append(args, "--kubeconfig", kubeconfig,
				"-n", "nope")...)
			assertOneErrorLine(t, res, `"nope"`, "not found")
		})
	}
}
