package main

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/yaml"
)

const (
	testVersion = "v1.4.0-rc.1"
	testBaseURL = "https://downloads.example.test/kubectl-directus/v1.4.0-rc.1/"
)

// testSums gives every release archive of testVersion a distinct sha256.
func testSums(t *testing.T) map[string]string {
	t.Helper()
	sums := map[string]string{}
	for _, p := range releasePlatforms() {
		sum := sha256.Sum256([]byte("archive for " + p.String()))
		sums[archiveName(testVersion, p)] = hex.EncodeToString(sum[:])
	}
	return sums
}

// readTemplate returns the repository's manifest template.
func readTemplate(t *testing.T) string {
	t.Helper()
	text, err := os.ReadFile(filepath.Join("..", "..", "krew", "directus.yaml"))
	require.NoError(t, err)
	return string(text)
}

// renderTest renders text for the platforms in data's config, failing the test on error.
func renderTest(t *testing.T, text string, platforms []platform) []byte {
	t.Helper()
	cfg := manifestConfig{Version: testVersion, BaseURL: testBaseURL, Platforms: platforms}
	data, err := manifestInput(cfg, testSums(t))
	require.NoError(t, err)
	doc, err := renderManifest(text, data)
	require.NoError(t, err)
	return doc
}

func TestRenderManifestOffersEveryPlatformOnce(t *testing.T) {
	doc := renderTest(t, readTemplate(t), releasePlatforms())
	require.NoError(t, checkManifest(doc, testVersion, releasePlatforms()))

	var m pluginManifest
	require.NoError(t, yaml.UnmarshalStrict(doc, &m))
	assert.Equal(t, testVersion, m.Spec.Version)
	require.Len(t, m.Spec.Platforms, len(releasePlatforms()))

	sums := testSums(t)
	lowerHex := regexp.MustCompile(`^[0-9a-f]{64}$`)
	for _, p := range releasePlatforms() {
		entry := onlyEntryFor(t, m.Spec.Platforms, p)
		name := archiveName(testVersion, p)
		assert.Equal(t, testBaseURL+name, entry.URI, "one slash between base and name")
		assert.Equal(t, sums[name], entry.Sha256, p.String())
		assert.Regexp(t, lowerHex, entry.Sha256)
		assert.Equal(t, p.binaryName(), entry.Bin)
		assert.ElementsMatch(t, []fileOperation{
			{From: p.binaryName(), To: "."},
			{From: "LICENSE", To: "."},
			{From: p.completionName(), To: "."},
		}, entry.Files)
	}
}

func TestRenderManifestSelectorsAreDisjoint(t *testing.T) {
	doc := renderTest(t, readTemplate(t), releasePlatforms())
	var m pluginManifest
	require.NoError(t, yaml.UnmarshalStrict(doc, &m))

	for _, osName := range []string{"linux", "darwin", "windows", "freebsd"} {
		for _, arch := range []string{"386", "amd64", "arm", "arm64", "ppc64le", "s390x"} {
			var matches int
			for _, entry := range m.Spec.Platforms {
				sel, err := metav1.LabelSelectorAsSelector(entry.Selector)
				require.NoError(t, err)
				if sel.Matches(labels.Set{"os": osName, "arch": arch}) {
					matches++
				}
			}
			assert.LessOrEqual(t, matches, 1, "%s/%s is selected by %d entries", osName, arch, matches)
		}
	}
}

// onlyEntryFor returns the one entry whose selector matches p, failing if there is not one.
func onlyEntryFor(t *testing.T, entries []manifestEntry, p platform) manifestEntry {
	t.Helper()
	var found []manifestEntry
	for _, entry := range entries {
		sel, err := metav1.LabelSelectorAsSelector(entry.Selector)
		require.NoError(t, err)
		if sel.Matches(labels.Set{"os": p.OS, "arch": p.Arch}) {
			found = append(found, entry)
		}
	}
	require.Len(t, found, 1, "entries selecting %s", p)
	return found[0]
}

func TestCheckManifestRejectsBrokenManifests(t *testing.T) {
	all := releasePlatforms()
	cases := []struct {
		name    string
		edit    func(string) string
		render  []platform
		want    []platform
		version string
		errText string
	}{
		{
			name:    "selector on os only overlaps",
			edit:    drop("        arch: {{ .Arch }}\n"),
			errText: "overlap on linux/amd64",
		},
		{
			name:    "platform missing",
			render:  all[:5],
			errText: "no spec.platforms entry selects windows/arm64",
		},
		{
			name:    "entry for a platform not built",
			want:    all[:5],
			errText: "spec.platforms[5] selects none of",
		},
		{
			name:    "uppercase sha256",
			edit:    swap("sha256: {{ .Sha256 }}", "sha256: {{ .Sha256 | printf \"%X\" }}"),
			errText: "is not 64 lowercase hex digits",
		},
		{
			name:    "LICENSE not installed",
			edit:    drop("    - from: LICENSE\n      to: .\n"),
			errText: "files does not copy LICENSE",
		},
		{
			name:    "windows binary without .exe",
			edit:    swap("bin: {{ .Bin }}", "bin: kubectl-directus"),
			errText: "files does not copy kubectl-directus out",
		},
		{
			name:    "tagline too long",
			edit:    swap("its autoscaling", "its autoscaling, its database and its cache"),
			errText: "spec.shortDescription has 72 characters",
		},
		{
			name:    "misspelt field",
			edit:    swap("sha256:", "sha265:"),
			errText: `unknown field "sha265"`,
		},
		{
			name:    "wrong plugin name",
			edit:    swap("name: directus", "name: kubectl-directus"),
			errText: `metadata.name is "kubectl-directus"`,
		},
		{
			name:    "version without v",
			edit:    swap("{{ quote .Version }}", "1.4.0"),
			version: "1.4.0",
			errText: `must start with v`,
		},
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			text := readTemplate(t)
			if tc.edit != nil {
				text = tc.edit(text)
				require.NotEqual(t, readTemplate(t), text, "the edit must change the template")
			}
			doc := renderTest(t, text, orDefault(tc.render, all))

			err := checkManifest(doc, orDefault(tc.version, testVersion), orDefault(tc.want, all))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.errText)
		})
	}
}

func drop(old string) func(string) string { return swap(old, "") }

func swap(old, replacement string) func(string) string {
	return func(s string) string { return strings.ReplaceAll(s, old, replacement) }
}

func orDefault[T []platform | string](v, def T) T {
	if len(v) == 0 {
		return def
	}
	return v
}

func TestRunManifestReadsSumsAndWritesTheManifest(t *testing.T) {
	dir := t.TempDir()
	var sums []checksum
	for name, sum := range testSums(t) {
		sums = append(sums, checksum{Name: name, SHA256: sum})
	}
	require.NoError(t, writeSums(filepath.Join(dir, sumsName(testVersion)), sums))

	cfg := manifestConfig{
		Template:  filepath.Join("..", "..", "krew", "directus.yaml"),
		Dist:      dir,
		Out:       filepath.Join(dir, "directus.yaml"),
		Version:   testVersion,
		BaseURL:   testBaseURL,
		Platforms: releasePlatforms(),
	}
	require.NoError(t, runManifest(cfg))
	doc, err := os.ReadFile(cfg.Out)
	require.NoError(t, err)
	assert.NoError(t, checkManifest(doc, testVersion, releasePlatforms()))

	cfg.Version = "v1.5.0"
	err = runManifest(cfg)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "run `make dist` for this version first")
}

func TestManifestInputNamesTheMissingArchive(t *testing.T) {
	sums := testSums(t)
	delete(sums, archiveName(testVersion, platform{OS: "darwin", Arch: "arm64"}))
	cfg := manifestConfig{Version: testVersion, BaseURL: testBaseURL, Platforms: releasePlatforms()}

	_, err := manifestInput(cfg, sums)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no sha256 for kubectl-directus_v1.4.0-rc.1_darwin_arm64.tar.gz")

	cfg.BaseURL = "downloads/v1"
	_, err = manifestInput(cfg, testSums(t))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "-base-url")
}
