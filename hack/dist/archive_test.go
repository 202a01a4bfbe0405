package main

import (
	"archive/tar"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// archiveEntry is what the tests read back from an archive.
type archiveEntry struct {
	Name    string
	Mode    int64
	ModTime time.Time
	Uid     int
	Body    string
}

func readTarGz(t *testing.T, path string) []archiveEntry {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	gz, err := gzip.NewReader(f)
	require.NoError(t, err)

	var entries []archiveEntry
	tr := tar.NewReader(gz)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return entries
		}
		require.NoError(t, err)
		body, err := io.ReadAll(tr)
		require.NoError(t, err)
		entries = append(entries, archiveEntry{
			Name:    hdr.Name,
			Mode:    hdr.Mode,
			ModTime: hdr.ModTime.UTC(),
			Uid:     hdr.Uid,
			Body:    string(body),
		})
	}
}

func TestWriteTarGzPacksFilesFlatAndReproducibly(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	license := filepath.Join(dir, "license-text")
	require.NoError(t, os.WriteFile(bin, []byte("\x7fELF plugin"), 0o700))
	require.NoError(t, os.WriteFile(license, []byte("license terms\n"), 0o600))
	files := []archiveFile{
		{Name: "kubectl-directus", Path: bin, Mode: 0o755},
		{Name: "LICENSE", Path: license, Mode: 0o644},
	}
	mtime := time.Date(2026, 3, 4, 5, 6, 7, 890, time.FixedZone("CET", 3600))

	first := filepath.Join(dir, "first.tar.gz")
	require.NoError(t, writeTarGz(first, files, mtime))
	// A later file time on disk must not change the archive.
	later := time.Now().Add(time.Hour)
	require.NoError(t, os.Chtimes(bin, later, later))
	second := filepath.Join(dir, "second.tar.gz")
	require.NoError(t, writeTarGz(second, files, mtime))

	sum1, err := fileSHA256(first)
	require.NoError(t, err)
	sum2, err := fileSHA256(second)
	require.NoError(t, err)
	assert.Equal(t, sum1, sum2, "the same inputs must give the same archive")

	stamp := time.Date(2026, 3, 4, 4, 6, 7, 0, time.UTC)
	assert.Equal(t, []archiveEntry{
		{Name: "kubectl-directus", Mode: 0o755, ModTime: stamp, Body: "\x7fELF plugin"},
		{Name: "LICENSE", Mode: 0o644, ModTime: stamp, Body: "license terms\n"},
	}, readTarGz(t, first))
}

func TestWriteTarGzRefusesMissingAndIrregularFiles(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.tar.gz")

	err := writeTarGz(out, []archiveFile{{Name: "LICENSE", Path: filepath.Join(dir, "nope")}},
		time.Now())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "nope")

	err = writeTarGz(out, []archiveFile{{Name: "LICENSE", Path: dir}}, time.Now())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "is not a regular file")
}

func TestSumsRoundTripAndRejectBadLines(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sums.txt")
	sums := []checksum{
		{Name: "a.tar.gz", SHA256: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"},
		{Name: "b.tar.gz", SHA256: "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"},
	}
	require.NoError(t, writeSums(path, sums))
	got, err := readSums(path)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"a.tar.gz": sums[0].SHA256, "b.tar.gz": sums[1].SHA256}, got)

	text, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, sums[0].SHA256+"  a.tar.gz\n"+sums[1].SHA256+"  b.tar.gz\n", string(text))

	upper := "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF  c.tar.gz\n"
	require.NoError(t, os.WriteFile(path, append(text, upper...), 0o644))
	_, err = readSums(path)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "sums.txt:3: want `<64 lowercase hex digits>  <file name>`")
}

func TestFileSHA256MatchesAKnownDigest(t *testing.T) {
	path := filepath.Join(t.TempDir(), "abc")
	require.NoError(t, os.WriteFile(path, []byte("abc"), 0o644))

	sum, err := fileSHA256(path)
	require.NoError(t, err)
	assert.Equal(t, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", sum)
}

func TestParsePlatforms(t *testing.T) {
	got, err := parsePlatforms("linux/amd64, windows/arm64")
	require.NoError(t, err)
	assert.Equal(t, []platform{{OS: "linux", Arch: "amd64"}, {OS: "windows", Arch: "arm64"}}, got)

	for list, errText := range map[string]string{
		"linux/386":                 `"linux/386" is not a release platform`,
		"linux":                     `"linux" is not a release platform`,
		"":                          `"" is not a release platform`,
		"darwin/arm64,darwin/arm64": "darwin/arm64 is listed twice",
	} {
		_, err := parsePlatforms(list)
		require.Error(t, err, list)
		assert.Contains(t, err.Error(), errText)
	}
}

func TestPlatformFileNames(t *testing.T) {
	win := platform{OS: "windows", Arch: "amd64"}
	mac := platform{OS: "darwin", Arch: "arm64"}

	assert.Equal(t, "kubectl-directus.exe", win.binaryName())
	assert.Equal(t, "kubectl_complete-directus.cmd", win.completionName())
	assert.Equal(t, "kubectl-directus", mac.binaryName())
	assert.Equal(t, "kubectl_complete-directus", mac.completionName())
	assert.Equal(t, "kubectl-directus_v1.0.0_darwin_arm64.tar.gz", archiveName("v1.0.0", mac))
	for _, p := range releasePlatforms() {
		_, err := os.Stat(filepath.Join("..", "..", "completion", p.completionName()))
		assert.NoError(t, err, "completion script for %s", p)
	}
}

func TestCheckVersion(t *testing.T) {
	good := []string{"v0.0.0-dev", "v1.2.3", "v1.2.3-rc.1+g0a1b2c3", "v0.1.0-3-g0a1b2c3-dirty"}
	for _, good := range good {
		assert.NoError(t, checkVersion(good), good)
	}
	for bad, errText := range map[string]string{
		"1.2.3":   "must start with v",
		"v1.2":    "is not a semantic version",
		"0a1b2c3": "must start with v",
		"":        "must start with v",
	} {
		err := checkVersion(bad)
		require.Error(t, err, bad)
		assert.Contains(t, err.Error(), errText)
	}
}
