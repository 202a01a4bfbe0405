package cluster

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// pluginPackage is the main package of the plugin, built by Plugin.
const pluginPackage = "./cmd/kubectl-directus"

// Plugin builds the kubectl-directus binary from this source tree once per test binary and
// returns its path. Its directory leads PATH in Kubectl, so "kubectl directus" finds it. The
// build is removed by Main. Like Shared, it skips the test under -short.
func Plugin(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("e2e: builds the plugin binary; run without -short")
	}
	state.pluginMu.Lock()
	defer state.pluginMu.Unlock()

	if state.plugin == "" && state.pluginErr == nil {
		state.pluginDir, state.plugin, state.pluginErr = buildPlugin(t.Context())
	}
	if state.pluginErr != nil {
		t.Fatalf("building the plugin: %v", state.pluginErr)
	}
	return state.plugin
}

// pluginDir returns the directory of the built plugin, or "" before Plugin was called.
func pluginDir() string {
	state.pluginMu.Lock()
	defer state.pluginMu.Unlock()
	if state.plugin == "" {
		return ""
	}
	return filepath.Dir(state.plugin)
}

// buildPlugin runs go build for the plugin into a new temporary directory.
func buildPlugin(ctx context.Context) (dir, binary string, err error) {
	_, self, _, ok := runtime.Caller(0)
	if !ok {
		return "", "", fmt.Errorf("cannot locate the source tree to build the plugin from")
	}
	root := filepath.Join(filepath.Dir(self), "..", "..")

	dir, err = os.MkdirTemp("", "kubectl-directus-plugin-")
	if err != nil {
		return "", "", fmt.Errorf("creating a directory for the plugin: %w", err)
	}
	binary = filepath.Join(dir, "kubectl-directus")

	cmd := exec.CommandContext(ctx, "go", "build", "-o", binary, pluginPackage)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		_ = os.RemoveAll(dir)
		return "", "", fmt.Errorf("go build %s: %w\n%s", pluginPackage, err, out)
	}
	return dir, binary, nil
}
