package main

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/yaml"
)

// Rules the rendered manifest must follow, beyond its shape.
const (
	krewAPIVersion = "krew.googlecontainertools.github.com/v1alpha2"
	pluginKind     = "Plugin"
	pluginName     = "directus"

	// maxShortDescription is where `kubectl krew search` cuts a tagline off.
	maxShortDescription = 50
	// maxDescriptionWidth keeps `kubectl krew info` readable in an 80-column terminal.
	maxDescriptionWidth = 80
)

// pluginManifest is the part of a krew plugin manifest that the checks read.
type pluginManifest struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		Version          string          `json:"version"`
		Homepage         string          `json:"homepage"`
		ShortDescription string          `json:"shortDescription"`
		Description      string          `json:"description"`
		Caveats          string          `json:"caveats,omitempty"`
		Platforms        []manifestEntry `json:"platforms"`
	} `json:"spec"`
}

// manifestEntry is one spec.platforms item.
type manifestEntry struct {
	Selector *metav1.LabelSelector `json:"selector"`
	URI      string                `json:"uri"`
	Sha256   string                `json:"sha256"`
	Bin      string                `json:"bin"`
	Files    []fileOperation       `json:"files"`
}

// fileOperation is one spec.platforms[].files item: what to copy out of the archive, and where.
type fileOperation struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// checkManifest parses a rendered manifest and checks it against the rules krew applies: the
// header and version, descriptions within limits, each entry complete, and the selectors
// covering every platform in want while no os/arch pair is matched twice.
func checkManifest(doc []byte, version string, want []platform) error {
	var m pluginManifest
	if err := yaml.UnmarshalStrict(doc, &m); err != nil {
		return fmt.Errorf("parse: %w", err)
	}

	if err := checkHeader(m, version); err != nil {
		return err
	}
	if err := checkDescriptions(m.Spec.ShortDescription, m.Spec.Description); err != nil {
		return err
	}
	for i, entry := range m.Spec.Platforms {
		if err := checkEntry(entry); err != nil {
			return fmt.Errorf("spec.platforms[%d]: %w", i, err)
		}
	}
	return checkCoverage(m.Spec.Platforms, want)
}

// checkHeader checks apiVersion, kind, name and version.
func checkHeader(m pluginManifest, version string) error {
	switch {
	case m.APIVersion != krewAPIVersion:
		return fmt.Errorf("apiVersion is %q, want %q", m.APIVersion, krewAPIVersion)
	case m.Kind != pluginKind:
		return fmt.Errorf("kind is %q, want %q", m.Kind, pluginKind)
	case m.Metadata.Name != pluginName:
		return fmt.Errorf("metadata.name is %q, want %q", m.Metadata.Name, pluginName)
	case m.Spec.Version != version:
		return fmt.Errorf("spec.version is %q, want %q", m.Spec.Version, version)
	}
	return checkVersion(m.Spec.Version)
}

// checkDescriptions keeps the tagline on one short line and the description readable.
func checkDescriptions(short, long string) error {
	switch {
	case short == "":
		return errors.New("spec.shortDescription is empty")
	case strings.ContainsAny(short, "\r\n"):
		return errors.New("spec.shortDescription must be a single line")
	case len(short) > maxShortDescription:
		return fmt.Errorf("spec.shortDescription has %d characters; krew shows at most %d",
			len(short), maxShortDescription)
	case strings.TrimSpace(long) == "":
		return errors.New("spec.description is empty")
	}

	for i, line := range strings.Split(long, "\n") {
		if len(line) > maxDescriptionWidth {
			return fmt.Errorf("spec.description line %d has %d columns; wrap it at %d",
				i+1, len(line), maxDescriptionWidth)
		}
	}
	return nil
}

// checkEntry checks one platform entry on its own.
func checkEntry(e manifestEntry) error {
	if e.URI == "" {
		return errors.New("uri is empty")
	}
	if !regexp.MustCompile(sha256Pattern).MatchString(e.Sha256) {
		return fmt.Errorf("sha256 %q is not 64 lowercase hex digits", e.Sha256)
	}
	if e.Bin == "" {
		return errors.New("bin is empty")
	}
	for _, name := range []string{e.Bin, licenseName} {
		if !slices.ContainsFunc(e.Files, func(f fileOperation) bool {
			return f.From == name && f.To != ""
		}) {
			return fmt.Errorf("files does not copy %s out of the archive", name)
		}
	}
	return checkSelector(e.Selector)
}

// checkSelector accepts a non-empty selector on the os and arch labels only.
func checkSelector(sel *metav1.LabelSelector) error {
	if sel == nil || (len(sel.MatchLabels) == 0 && len(sel.MatchExpressions) == 0) {
		return errors.New("selector is missing or empty; select on os and arch")
	}
	for key := range sel.MatchLabels {
		if key != "os" && key != "arch" {
			return fmt.Errorf("selector key %q is not supported; use os and arch", key)
		}
	}
	for _, expr := range sel.MatchExpressions {
		if expr.Key != "os" && expr.Key != "arch" {
			return fmt.Errorf("selector key %q is not supported; use os and arch", expr.Key)
		}
	}
	if _, err := metav1.LabelSelectorAsSelector(sel); err != nil {
		return fmt.Errorf("selector: %w", err)
	}
	return nil
}

// checkCoverage makes sure each platform in want is selected by exactly one entry, with the
// right binary, that no os/arch pair krew knows is selected twice, and that no entry is dead.
func checkCoverage(entries []manifestEntry, want []platform) error {
	selectors := make([]labels.Selector, len(entries))
	for i, e := range entries {
		selectors[i], _ = metav1.LabelSelectorAsSelector(e.Selector) // checked in checkEntry
	}

	used := make([]bool, len(entries))
	for _, p := range candidatePlatforms(want) {
		matched := matchingEntries(selectors, p)
		if len(matched) > 1 {
			return fmt.Errorf("selectors of spec.platforms%v overlap on %s; "+
				"make them select disjoint os/arch pairs", matched, p)
		}
		if !slices.Contains(want, p) {
			continue
		}
		if len(matched) == 0 {
			return fmt.Errorf("no spec.platforms entry selects %s", p)
		}
		if bin := entries[matched[0]].Bin; bin != p.binaryName() {
			return fmt.Errorf("spec.platforms[%d] selects %s with bin %q, want %q",
				matched[0], p, bin, p.binaryName())
		}
		used[matched[0]] = true
	}

	if i := slices.Index(used, false); i >= 0 {
		return fmt.Errorf("spec.platforms[%d] selects none of %s", i, platformList(want))
	}
	return nil
}

// matchingEntries returns the indexes of the selectors that match p.
func matchingEntries(selectors []labels.Selector, p platform) []int {
	var matched []int
	for i, sel := range selectors {
		if sel.Matches(labels.Set{"os": p.OS, "arch": p.Arch}) {
			matched = append(matched, i)
		}
	}
	return matched
}

// candidatePlatforms returns want plus each linux, darwin and windows pair on 386, amd64, arm
// and arm64: a superset of the pairs krew's manifest validation tries.
func candidatePlatforms(want []platform) []platform {
	all := slices.Clone(want)
	for _, osName := range []string{"linux", "darwin", "windows"} {
		for _, arch := range []string{"386", "amd64", "arm", "arm64"} {
			p := platform{OS: osName, Arch: arch}
			if !slices.Contains(all, p) {
				all = append(all, p)
			}
		}
	}
	return all
}
