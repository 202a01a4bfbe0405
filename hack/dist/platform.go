package main

import (
	"fmt"
	"slices"
	"strings"
)

// File names inside every release archive, before a platform's extension.
const (
	binaryBase     = "kubectl-directus"
	completionBase = "kubectl_complete-directus"
	licenseName    = "LICENSE"
)

// platform is one operating system and architecture pair that a release archive targets.
type platform struct {
	OS   string
	Arch string
}

func (p platform) String() string { return p.OS + "/" + p.Arch }

// binaryName is the plugin executable's name inside the archive.
func (p platform) binaryName() string {
	if p.OS == "windows" {
		return binaryBase + ".exe"
	}
	return binaryBase
}

// completionName is the name of the completion executable kubectl looks up on PATH. Windows
// finds it through PATHEXT, so it ships as a .cmd file there.
func (p platform) completionName() string {
	if p.OS == "windows" {
		return completionBase + ".cmd"
	}
	return completionBase
}

// archiveName is the release archive's file name for version on p.
func archiveName(version string, p platform) string {
	return fmt.Sprintf("%s_%s_%s_%s.tar.gz", binaryBase, version, p.OS, p.Arch)
}

// sumsName is the name of the sha256 sums file of a release.
func sumsName(version string) string {
	return fmt.Sprintf("%s_%s_sha256sums.txt", binaryBase, version)
}

// releasePlatforms returns every platform a release ships, in manifest order.
func releasePlatforms() []platform {
	return []platform{
		{OS: "linux", Arch: "amd64"},
		{OS: "linux", Arch: "arm64"},
		{OS: "darwin", Arch: "amd64"},
		{OS: "darwin", Arch: "arm64"},
		{OS: "windows", Arch: "amd64"},
		{OS: "windows", Arch: "arm64"},
	}
}

// parsePlatforms reads a comma-separated list such as "linux/amd64,darwin/arm64". Each entry
// must be one of releasePlatforms and appear once.
func parsePlatforms(list string) ([]platform, error) {
	supported := releasePlatforms()
	var out []platform
	for _, item := range strings.Split(list, ",") {
		osName, arch, ok := strings.Cut(strings.TrimSpace(item), "/")
		p := platform{OS: osName, Arch: arch}
		if !ok || !slices.Contains(supported, p) {
			return nil, fmt.Errorf("-platforms: %q is not a release platform; "+
				"use a comma-separated list of %s", item, platformList(supported))
		}
		if slices.Contains(out, p) {
			return nil, fmt.Errorf("-platforms: %s is listed twice; name each platform once", p)
		}
		out = append(out, p)
	}
	return out, nil
}

// platformList joins platforms as "os/arch,os/arch".
func platformList(platforms []platform) string {
	names := make([]string, len(platforms))
	for i, p := range platforms {
		names[i] = p.String()
	}
	return strings.Join(names, ",")
}
