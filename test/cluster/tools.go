package cluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
)

// Environment variables that steer where the tools come from.
const (
	// EnvBin names a directory holding every tool binary, as printed by test/tools/build.sh.
	// When it is set, the harness uses it as is and builds nothing.
	EnvBin = "KUBECTL_DIRECTUS_BIN"
	// EnvTools is the cache root build.sh builds into (default ~/.cache/kubectl-directus/tools).
	EnvTools = "KUBECTL_DIRECTUS_TOOLS"
)

// toolNames lists the binaries the cluster needs in its bin directory.
func toolNames() []string {
	return []string{
		"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl",
		"kwok", "kwokctl", "metrics-server",
	}
}

// tools is a bin directory with every binary checked to be there, and the manifests build.sh
// copied next to it.
type tools struct {
	BinDir      string
	ManifestDir string
	KubeVersion string
}

// findTools returns the tools named by KUBECTL_DIRECTUS_BIN, or builds them with build.sh
// (quick when they are already cached) and returns those.
func findTools(ctx context.Context) (tools, error) {
	binDir := os.Getenv(EnvBin)
	if binDir == "" {
		var err error
		if binDir, err = runBuildScript(ctx); err != nil {
			return tools{}, err
		}
	}
	return checkTools(ctx, binDir)
}

// checkTools verifies that binDir holds every binary and that the manifests sit beside it.
func checkTools(ctx context.Context, binDir string) (tools, error) {
	for _, name := range toolNames() {
		if _, err := os.Stat(filepath.Join(binDir, name)); err != nil {
			return tools{}, fmt.Errorf("tool %s missing from %s (%s): run test/tools/build.sh "+
				"and set %s to the directory it prints: %w", name, binDir, EnvBin, EnvBin, err)
		}
	}

	manifests := filepath.Join(filepath.Dir(binDir), "manifests")
	if _, err := os.Stat(filepath.Join(manifests, "kwok-usage.yaml")); err != nil {
		return tools{}, fmt.Errorf("manifests missing next to %s: rerun test/tools/build.sh: %w",
			binDir, err)
	}

	version, err := kubeVersion(ctx, filepath.Join(binDir, "kube-apiserver"))
	if err != nil {
		return tools{}, err
	}
	return tools{BinDir: binDir, ManifestDir: manifests, KubeVersion: version}, nil
}

// runBuildScript runs test/tools/build.sh from this source tree, passing its progress through
// to stderr, and returns the bin directory it prints.
func runBuildScript(ctx context.Context) (string, error) {
	script, err := buildScript()
	if err != nil {
		return "", err
	}

	var stdout bytes.Buffer
	cmd := exec.CommandContext(ctx, "bash", script)
	cmd.Stdout = &stdout
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("building the e2e tools with %s: %w", script, err)
	}

	lines := strings.Fields(stdout.String())
	if len(lines) == 0 {
		return "", fmt.Errorf("%s printed no bin directory", script)
	}
	return lines[len(lines)-1], nil
}

// buildScript locates test/tools/build.sh relative to this file's source.
func buildScript() (string, error) {
	_, self, _, ok := runtime.Caller(0)
	if !ok {
		return "", errors.New("cannot locate the harness source: set " + EnvBin)
	}
	script := filepath.Join(filepath.Dir(self), "..", "tools", "build.sh")
	if _, err := os.Stat(script); err != nil {
		return "", fmt.Errorf("build script not found (set %s instead): %w", EnvBin, err)
	}
	return script, nil
}

// kubeVersion runs a Kubernetes binary with --version and returns the version it reports.
func kubeVersion(ctx context.Context, binary string) (string, error) {
	out, err := exec.CommandContext(ctx, binary, "--version").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("running %s --version: %w: %s", binary, err, out)
	}
	return parseKubeVersion(string(out))
}

// parseKubeVersion extracts a release version such as v1.37.2 from "Kubernetes v1.37.2". It
// refuses the development placeholder of an unstamped build, on which kwokctl would guess
// component flags wrongly.
func parseKubeVersion(out string) (string, error) {
	m := regexp.MustCompile(`\bv(\d+)\.(\d+)\.(\d+)\b`).FindString(out)
	if m == "" || strings.HasPrefix(m, "v0.") {
		return "", fmt.Errorf("no release version in %q: rebuild the tools with "+
			"test/tools/build.sh, which stamps it", strings.TrimSpace(out))
	}
	return m, nil
}
