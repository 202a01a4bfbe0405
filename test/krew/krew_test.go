// Package krew_test installs the plugin the way its users do: from the krew manifest that
// `make krew-manifest` renders and an archive that `make dist` builds, with krew v0.4.3 built
// from source, into a temporary krew root, then runs it through a real kubectl.
//
// Nothing leaves the machine: the archives are served from a loopback server, and krew and
// kubectl run with a loopback proxy that records and refuses anything else they try to fetch.
package krew_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Build information stamped into the archives the tests install.
const (
	testVersion = "v0.1.0-krewtest"
	testCommit  = "krewtest"
	testDate    = "2026-01-02T15:04:05Z"
)

// envAllPlatforms opts in to building and validating the archives of every release platform.
const envAllPlatforms = "KUBECTL_DIRECTUS_KREW_ALL_PLATFORMS"

// krewSetup is a krew installation in a temporary directory, with every tool on its PATH.
type krewSetup struct {
	root     string // repository root
	work     string // temporary directory holding everything below
	binDir   string // kubectl, kubectl-krew, validate-krew-manifest
	krewRoot string // KREW_ROOT
	dist     string // archives, sums file and rendered manifest
	proxy    *requestLog
}

// newKrewSetup builds krew and finds kubectl; it is shared by the tests below.
func newKrewSetup(ctx context.Context, t *testing.T) *krewSetup {
	t.Helper()
	if testing.Short() {
		t.Skip("skipping the krew install test in -short mode: it builds krew and the plugin " +
			"and runs kubectl")
	}

	s := &krewSetup{root: repoRoot(t), work: t.TempDir()}
	s.binDir = filepath.Join(s.work, "bin")
	s.krewRoot = filepath.Join(s.work, "krew")
	s.dist = filepath.Join(s.work, "dist")
	s.proxy = startProxySink(t)
	require.NoError(t, os.MkdirAll(filepath.Join(s.work, "home"), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(s.work, "tmp"), 0o755))

	kubectl := findKubectl(ctx, t, s.root)
	buildKrew(ctx, t, s.root, s.binDir, kubectl)
	t.Cleanup(func() {
		assert.Empty(t, s.proxy.seen(), "krew and kubectl must not reach for the network")
	})
	return s
}

// env is the whole environment krew and kubectl run with: nothing from the caller's, a PATH
// of the tools and krew's bin directory only, and every proxy variable on the sink.
func (s *krewSetup) env() []string {
	return []string{
		"PATH=" + s.binDir + string(os.PathListSeparator) + filepath.Join(s.krewRoot, "bin"),
		"HOME=" + filepath.Join(s.work, "home"),
		"TMPDIR=" + filepath.Join(s.work, "tmp"),
		"KUBECONFIG=" + filepath.Join(s.work, "home", "no-kubeconfig"),
		"KREW_ROOT=" + s.krewRoot,
		"KREW_NO_UPGRADE_CHECK=1",
		"HTTP_PROXY=" + s.proxy.URL, "HTTPS_PROXY=" + s.proxy.URL,
		"http_proxy=" + s.proxy.URL, "https_proxy=" + s.proxy.URL,
		"NO_PROXY=", "no_proxy=",
	}
}

// kubectl runs the kubectl on PATH with args and returns what it printed.
func (s *krewSetup) kubectl(ctx context.Context, t *testing.T, args ...string) result {
	t.Helper()
	return runIn(ctx, t, s.env(), filepath.Join(s.binDir, "kubectl"), args...)
}

// buildDist runs `dist build` for platforms, as `make dist` does.
func (s *krewSetup) buildDist(ctx context.Context, t *testing.T, platforms []string) {
	t.Helper()
	goCmd(ctx, t, s.root, "run", "./hack/dist", "build", "-version", testVersion,
		"-commit", testCommit, "-date", testDate, "-platforms", strings.Join(platforms, ","),
		"-out", s.dist)
}

// renderManifest runs `dist manifest` for platforms, as `make krew-manifest` does, with the
// archives' URIs under baseURL, and returns the rendered manifest's path.
func (s *krewSetup) renderManifest(ctx context.Context, t *testing.T, platforms []string,
	baseURL string) string {
	t.Helper()
	manifest := filepath.Join(s.dist, "directus.yaml")
	goCmd(ctx, t, s.root, "run", "./hack/dist", "manifest", "-version", testVersion,
		"-dist", s.dist, "-out", manifest, "-platforms", strings.Join(platforms, ","),
		"-base-url", baseURL)
	return manifest
}

// validate runs krew's own manifest validation, which also installs every platform entry
// through `kubectl krew install`, downloading each archive from its uri and checking its
// sha256 and that LICENSE is installed. It returns the validator's log.
func (s *krewSetup) validate(ctx context.Context, t *testing.T, manifest string) string {
	t.Helper()
	out := runIn(ctx, t, s.env(), filepath.Join(s.binDir, "validate-krew-manifest"),
		"-manifest", manifest)
	for _, step := range []string{
		"structural validation OK", "all spec.platform[] items are used",
		"no overlapping spec.platform[].selector",
	} {
		assert.Contains(t, out.Stderr, step)
	}
	return out.Stderr
}

func TestKrewInstallsThePluginFromTheManifestAndArchive(t *testing.T) {
	ctx := t.Context()
	s := newKrewSetup(ctx, t)
	host := runtime.GOOS + "/" + runtime.GOARCH
	s.buildDist(ctx, t, []string{host})
	files := serveDir(t, s.dist)
	manifest := s.renderManifest(ctx, t, []string{host}, files.URL+"/releases/")

	log := s.validate(ctx, t, manifest)
	assert.Contains(t, log, "all 1 spec.platforms installed fine")
	archiveName := "kubectl-directus_" + testVersion + "_" + runtime.GOOS + "_" + runtime.GOARCH +
		".tar.gz"
	assert.Equal(t, []string{"GET " + strings.TrimPrefix(files.URL, "http://") +
		"/releases/" + archiveName}, files.seen(), "the validator downloads the archive once")

	archive := filepath.Join(s.dist, archiveName)
	install := s.kubectl(ctx, t, "krew", "install", "--manifest="+manifest, "--archive="+archive)
	assert.Contains(t, install.Stderr, "Installed plugin: directus")

	t.Run("version runs through kubectl", func(t *testing.T) {
		out := s.kubectl(ctx, t, "directus", "version")
		assert.Regexp(t, `^kubectl-directus v0\.1\.0-krewtest \(commit krewtest, `+
			`built 2026-01-02T15:04:05Z, go\d[^)]*\)\n$`, out.Stdout)
		assert.Empty(t, out.Stderr)
	})
	t.Run("plugin list shows it without warnings", func(t *testing.T) {
		out := s.kubectl(ctx, t, "plugin", "list")
		assert.Contains(t, out.Stdout, filepath.Join(s.krewRoot, "bin", "kubectl-directus")+"\n")
		assert.Empty(t, out.Stderr, "kubectl plugin list must print no warning")
	})
	t.Run("krew keeps a receipt of the version", func(t *testing.T) {
		// `kubectl krew list` would show the same, but it refuses to run without a plugin
		// index, and fetching one is what this test must not do.
		receipt, err := os.ReadFile(filepath.Join(s.krewRoot, "receipts", "directus.yaml"))
		require.NoError(t, err)
		assert.Regexp(t, `(?m)^  version: v0\.1\.0-krewtest$`, string(receipt))
		assert.Regexp(t, `(?m)^    name: detached$`, string(receipt), "installed from a manifest")
	})
	t.Run("completion through kubectl", func(t *testing.T) {
		s.checkCompletion(ctx, t)
	})
}

// checkCompletion puts the completion executable that krew installed on PATH, as the README
// tells users to, and completes `kubectl directus` through kubectl.
func (s *krewSetup) checkCompletion(ctx context.Context, t *testing.T) {
	installed := filepath.Join(s.krewRoot, "store", "directus", testVersion,
		"kubectl_complete-directus")
	shipped, err := os.ReadFile(installed)
	require.NoError(t, err, "krew must install the completion script from the archive")
	source, err := os.ReadFile(filepath.Join(s.root, "completion", "kubectl_complete-directus"))
	require.NoError(t, err)
	assert.Equal(t, string(source), string(shipped))

	plugin := s.kubectl(ctx, t, "__complete", "direc")
	assert.Regexp(t, `(?m)^directus\b`, plugin.Stdout, "kubectl completes the plugin's name")

	none := s.kubectl(ctx, t, "__complete", "directus", "ver")
	assert.NotRegexp(t, `(?m)^version\b`, none.Stdout, "without the script nothing completes")

	require.NoError(t, os.Symlink(installed, filepath.Join(s.binDir, "kubectl_complete-directus")))
	verbs := s.kubectl(ctx, t, "__complete", "directus", "ver")
	assert.Regexp(t, `(?m)^version\tPrint the plugin's version`, verbs.Stdout)
	assert.Regexp(t, `(?m)^:4$`, verbs.Stdout, "cobra's no-file-completion directive")
}

func TestKrewValidatesEveryReleasePlatform(t *testing.T) {
	if os.Getenv(envAllPlatforms) == "" {
		t.Skipf("set %s=1 to cross-build all six release archives (minutes on a cold cache) "+
			"and have krew install each of them", envAllPlatforms)
	}
	ctx := t.Context()
	s := newKrewSetup(ctx, t)
	platforms := []string{
		"linux/amd64", "linux/arm64", "darwin/amd64", "darwin/arm64", "windows/amd64",
		"windows/arm64",
	}
	s.buildDist(ctx, t, platforms)
	files := serveDir(t, s.dist)
	manifest := s.renderManifest(ctx, t, platforms, files.URL+"/releases/")

	log := s.validate(ctx, t, manifest)
	assert.Contains(t, log, "all 6 spec.platforms installed fine")
	assert.Len(t, files.seen(), len(platforms), "one download per platform")
}
