package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// buildConfig says what `dist build` makes and where.
type buildConfig struct {
	Root      string // repository root, holding go.mod, LICENSE and completion/
	Out       string // directory receiving the archives and the sums file
	Version   string
	Commit    string
	Date      string // RFC 3339 build date; also the time stamped on archive entries
	Platforms []platform
	Log       io.Writer // progress and the go tool's own output
}

// runBuild cross-builds the plugin for every platform, packs each binary with LICENSE and the
// completion script, writes the sums file and returns the paths it wrote.
func runBuild(ctx context.Context, cfg buildConfig) ([]string, error) {
	mtime, err := time.Parse(time.RFC3339, cfg.Date)
	if err != nil {
		return nil, fmt.Errorf("-date %q is not an RFC 3339 time such as 2026-01-02T15:04:05Z: %w",
			cfg.Date, err)
	}

	staging, err := os.MkdirTemp("", "kubectl-directus-dist-")
	if err != nil {
		return nil, fmt.Errorf("create staging directory: %w", err)
	}
	defer os.RemoveAll(staging)

	var written []string
	var sums []checksum
	for _, p := range cfg.Platforms {
		archive, err := buildArchive(ctx, cfg, p, filepath.Join(staging, p.OS+"_"+p.Arch), mtime)
		if err != nil {
			return nil, err
		}
		sum, err := fileSHA256(archive)
		if err != nil {
			return nil, err
		}
		sums = append(sums, checksum{Name: filepath.Base(archive), SHA256: sum})
		written = append(written, archive)
	}

	sumsPath := filepath.Join(cfg.Out, sumsName(cfg.Version))
	if err := writeSums(sumsPath, sums); err != nil {
		return nil, err
	}
	return append(written, sumsPath), nil
}

// buildArchive compiles the binary for p into dir and packs the archive for p into cfg.Out.
func buildArchive(ctx context.Context, cfg buildConfig, p platform, dir string,
	mtime time.Time) (string, error) {
	fmt.Fprintf(cfg.Log, "building %s %s\n", binaryBase, p)
	bin := filepath.Join(dir, p.binaryName())
	if err := goBuild(ctx, cfg, p, bin); err != nil {
		return "", err
	}

	files := []archiveFile{
		{Name: p.binaryName(), Path: bin, Mode: 0o755},
		{Name: licenseName, Path: filepath.Join(cfg.Root, licenseName), Mode: 0o644},
		{
			Name: p.completionName(),
			Path: filepath.Join(cfg.Root, "completion", p.completionName()),
			Mode: 0o755,
		},
	}
	archive := filepath.Join(cfg.Out, archiveName(cfg.Version, p))
	if err := writeTarGz(archive, files, mtime); err != nil {
		return "", err
	}
	return archive, nil
}

// goBuild compiles a static binary for p with the build information stamped into main.
func goBuild(ctx context.Context, cfg buildConfig, p platform, out string) error {
	ldflags := strings.Join([]string{
		"-s", "-w", "-buildid=",
		"-X", "main.version=" + cfg.Version,
		"-X", "main.commit=" + cfg.Commit,
		"-X", "main.date=" + cfg.Date,
	}, " ")
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags", ldflags,
		"-o", out, "./cmd/kubectl-directus")
	cmd.Dir = cfg.Root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+p.OS, "GOARCH="+p.Arch)
	cmd.Stdout = cfg.Log
	cmd.Stderr = cfg.Log

	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build for %s: %w", p, err)
	}
	return nil
}
