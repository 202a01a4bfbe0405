package deploy

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"text/template"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/kubectl-directus/kubectl-directus/manifests"
)

// Render returns every object of the release described by o, in apply order: metrics-server
// (when asked for), the Secret holding secret, PostgreSQL, Valkey, the bootstrap Job, the
// Directus Deployment, Service and PodDisruptionBudget, and last the autoscaler.
func Render(o Options, secret SecretValues) ([]*unstructured.Unstructured, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if missing := secret.Missing(); len(missing) > 0 {
		return nil, fmt.Errorf("secret values lack %s", strings.Join(missing, ", "))
	}

	var objs []*unstructured.Unstructured
	if o.WithMetricsServer {
		ms, err := renderDir(manifests.MetricsServerDir, newMetricsServerValues(o))
		if err != nil {
			return nil, err
		}
		objs = append(objs, ms...)
	}

	release, err := renderDir(manifests.DirectusDir, newValues(o, secret))
	if err != nil {
		return nil, err
	}
	return append(objs, release...), nil
}

// renderDir executes every template file of dir, in file name order, with data.
func renderDir(dir string, data any) ([]*unstructured.Unstructured, error) {
	fsys := manifests.FS()
	tmpl, err := template.New(dir).Funcs(templateFuncs()).Option("missingkey=error").
		ParseFS(fsys, path.Join(dir, "*.yaml"))
	if err != nil {
		return nil, fmt.Errorf("parsing the embedded manifests: %w", err)
	}

	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("listing the embedded manifests: %w", err)
	}
	names := make([]string, 0, len(entries))
	for _, entry := range entries {
		if !strings.HasPrefix(entry.Name(), "_") {
			names = append(names, entry.Name())
		}
	}
	sort.Strings(names)

	var objs []*unstructured.Unstructured
	for _, name := range names {
		rendered, err := renderFile(tmpl, name, data)
		if err != nil {
			return nil, err
		}
		objs = append(objs, rendered...)
	}
	return objs, nil
}

func renderFile(tmpl *template.Template, name string,
	data any) ([]*unstructured.Unstructured, error) {
	var buf bytes.Buffer
	if err := tmpl.ExecuteTemplate(&buf, name, data); err != nil {
		return nil, fmt.Errorf("rendering manifest %s: %w", name, err)
	}
	objs, err := decodeObjects(&buf)
	if err != nil {
		return nil, fmt.Errorf("decoding manifest %s: %w", name, err)
	}
	return objs, nil
}

// decodeObjects reads a stream of YAML documents; documents without content are skipped.
func decodeObjects(r io.Reader) ([]*unstructured.Unstructured, error) {
	reader := utilyaml.NewYAMLReader(bufio.NewReader(r))
	var objs []*unstructured.Unstructured
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return objs, nil
		}
		if err != nil {
			return nil, err
		}

		data, err := yaml.YAMLToJSON(doc)
		if err != nil {
			return nil, err
		}
		if bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
			continue
		}
		obj := &unstructured.Unstructured{}
		if err := obj.UnmarshalJSON(data); err != nil {
			return nil, err
		}
		objs = append(objs, obj)
	}
}

func templateFuncs() template.FuncMap {
	return template.FuncMap{
		// toJSON writes a value as JSON, which YAML reads as a flow collection or scalar.
		"toJSON": func(v any) (string, error) {
			out, err := json.Marshal(v)
			return string(out), err
		},
		// quote writes any value as a double-quoted YAML string.
		"quote": func(v any) (string, error) {
			out, err := json.Marshal(fmt.Sprint(v))
			return string(out), err
		},
	}
}
