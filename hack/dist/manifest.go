package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"text/template"
)

// manifestConfig says what `dist manifest` renders.
type manifestConfig struct {
	Template  string // path of the manifest template, krew/directus.yaml
	Dist      string // directory holding the sums file of Version
	Out       string // path of the rendered manifest
	Version   string
	BaseURL   string // URL of the directory the archives are downloaded from
	Platforms []platform
}

// manifestPlatform is what the template needs to write one spec.platforms entry.
type manifestPlatform struct {
	OS         string
	Arch       string
	URI        string
	Sha256     string
	Bin        string
	Completion string
}

// manifestData is the template's input.
type manifestData struct {
	Version   string
	Platforms []manifestPlatform
}

// runManifest renders the template for cfg.Version with the sums of the built archives,
// checks the result and writes it to cfg.Out.
func runManifest(cfg manifestConfig) error {
	sums, err := readSums(filepath.Join(cfg.Dist, sumsName(cfg.Version)))
	if err != nil {
		return err
	}
	data, err := manifestInput(cfg, sums)
	if err != nil {
		return err
	}

	text, err := os.ReadFile(cfg.Template)
	if err != nil {
		return fmt.Errorf("read -template: %w", err)
	}
	doc, err := renderManifest(string(text), data)
	if err != nil {
		return fmt.Errorf("render %s: %w", cfg.Template, err)
	}
	if err := checkManifest(doc, cfg.Version, cfg.Platforms); err != nil {
		return fmt.Errorf("manifest rendered from %s is not valid: %w", cfg.Template, err)
	}

	if err := os.WriteFile(cfg.Out, doc, 0o644); err != nil {
		return fmt.Errorf("write -out: %w", err)
	}
	return nil
}

// manifestInput pairs every platform with its archive's address and sha256.
func manifestInput(cfg manifestConfig, sums map[string]string) (manifestData, error) {
	if err := checkBaseURL(cfg.BaseURL); err != nil {
		return manifestData{}, err
	}

	data := manifestData{Version: cfg.Version}
	base := strings.TrimSuffix(cfg.BaseURL, "/")
	for _, p := range cfg.Platforms {
		name := archiveName(cfg.Version, p)
		sum, ok := sums[name]
		if !ok {
			return manifestData{}, fmt.Errorf("%s lists no sha256 for %s; run `make dist` "+
				"with %s among its PLATFORMS", sumsName(cfg.Version), name, p)
		}
		data.Platforms = append(data.Platforms, manifestPlatform{
			OS:         p.OS,
			Arch:       p.Arch,
			URI:        base + "/" + name,
			Sha256:     sum,
			Bin:        p.binaryName(),
			Completion: p.completionName(),
		})
	}
	return data, nil
}

// checkBaseURL accepts an absolute http or https URL.
func checkBaseURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("-base-url %q: %w", raw, err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("-base-url %q must be an absolute http(s) URL of the directory "+
			"serving the archives", raw)
	}
	return nil
}

// renderManifest executes the manifest template on data.
func renderManifest(text string, data manifestData) ([]byte, error) {
	tmpl, err := template.New("manifest").
		Option("missingkey=error").
		Funcs(template.FuncMap{"quote": quoteYAML}).
		Parse(text)
	if err != nil {
		return nil, err
	}

	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, data); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// quoteYAML writes s as a double-quoted scalar; a JSON string is one in YAML too.
func quoteYAML(s string) (string, error) {
	b, err := json.Marshal(s)
	return string(b), err
}
