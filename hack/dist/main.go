// Command dist builds the release archives of kubectl-directus and renders its krew plugin
// manifest. The dist and krew-manifest make targets run it:
//
//	go run ./hack/dist build -version v1.2.3 -commit 0a1b2c3 -date 2026-01-02T15:04:05Z
//	go run ./hack/dist manifest -version v1.2.3 -base-url https://example.test/v1.2.3
//
// build writes one .tar.gz per platform, holding the plugin binary, LICENSE and the
// kubectl_complete-directus completion executable, plus a sha256 sums file. manifest renders
// krew/directus.yaml with each archive's address and sha256, and checks the result.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
)

// releasesURL is where a tagged release's archives are published; the version is appended.
const releasesURL = "https://github.com/kubectl-directus/kubectl-directus/releases/download"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "error: %v\n", err)
		os.Exit(1)
	}
}

// run dispatches to a subcommand. Results (the paths written) go to stdout, progress to stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("missing subcommand: use `dist build` or `dist manifest` " +
			"(-h lists their flags)")
	}

	var err error
	switch args[0] {
	case "build":
		err = runBuildCmd(ctx, args[1:], stdout, stderr)
	case "manifest":
		err = runManifestCmd(args[1:], stdout, stderr)
	default:
		err = fmt.Errorf("unknown subcommand %q: use build or manifest", args[0])
	}
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

// runBuildCmd parses the flags of `dist build` and runs it.
func runBuildCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := buildConfig{Log: stderr}
	fs := flag.NewFlagSet("dist build", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Root, "root", ".", "repository root")
	fs.StringVar(&cfg.Out, "out", "dist", "directory receiving the archives and the sums file")
	fs.StringVar(&cfg.Version, "version", "", "release version, semver with a leading v (required)")
	fs.StringVar(&cfg.Commit, "commit", "none", "commit stamped into the binary")
	fs.StringVar(&cfg.Date, "date", "", "RFC 3339 build date for the binary and archive entries (required)")
	platforms := fs.String("platforms", platformList(releasePlatforms()), "os/arch pairs to build, comma-separated")
	if err := parseFlags(fs, args); err != nil {
		return err
	}

	if err := checkBuildFlags(&cfg, *platforms); err != nil {
		return err
	}
	if err := os.MkdirAll(cfg.Out, 0o755); err != nil {
		return fmt.Errorf("create -out directory: %w", err)
	}

	written, err := runBuild(ctx, cfg)
	if err != nil {
		return err
	}
	for _, path := range written {
		fmt.Fprintln(stdout, path)
	}
	return nil
}

// checkBuildFlags validates the flags of `dist build` and fills cfg.Platforms.
func checkBuildFlags(cfg *buildConfig, platforms string) error {
	if err := checkVersion(cfg.Version); err != nil {
		return err
	}
	if cfg.Commit == "" || strings.ContainsAny(cfg.Commit, " \t\n") {
		return fmt.Errorf("-commit %q must be one word, such as a short commit hash", cfg.Commit)
	}
	if cfg.Date == "" {
		return errors.New("-date is required: pass the commit time, as in " +
			"`git log -1 --format=%cd --date=iso-strict`")
	}

	var err error
	cfg.Platforms, err = parsePlatforms(platforms)
	return err
}

// runManifestCmd parses the flags of `dist manifest` and runs it.
func runManifestCmd(args []string, stdout, stderr io.Writer) error {
	var cfg manifestConfig
	fs := flag.NewFlagSet("dist manifest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Template, "template", "krew/directus.yaml", "manifest template")
	fs.StringVar(&cfg.Dist, "dist", "dist", "directory holding the sums file written by `dist build`")
	fs.StringVar(&cfg.Out, "out", "dist/directus.yaml", "rendered manifest; krew wants it named after the plugin")
	fs.StringVar(&cfg.Version, "version", "", "release version, semver with a leading v (required)")
	fs.StringVar(&cfg.BaseURL, "base-url", "", "URL of the directory serving the archives (default "+releasesURL+"/VERSION)")
	platforms := fs.String("platforms", platformList(releasePlatforms()), "os/arch pairs the manifest offers, comma-separated")
	if err := parseFlags(fs, args); err != nil {
		return err
	}

	if err := checkVersion(cfg.Version); err != nil {
		return err
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = releasesURL + "/" + cfg.Version
	}
	var err error
	if cfg.Platforms, err = parsePlatforms(*platforms); err != nil {
		return err
	}

	if err := runManifest(cfg); err != nil {
		return err
	}
	fmt.Fprintln(stdout, cfg.Out)
	return nil
}

// parseFlags parses args into fs and refuses positional arguments.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%s takes no arguments, got %q; pass values as flags (-h lists them)",
			fs.Name(), fs.Args())
	}
	return nil
}
