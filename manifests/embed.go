// Package manifests holds the YAML templates that deploy renders: Directus with PostgreSQL,
// Valkey and its HorizontalPodAutoscaler, and an optional metrics-server.
package manifests

import (
	"embed"
	"io/fs"
)

// Directories of FS.
const (
	// DirectusDir holds the templates of one Directus release. They are applied in the order
	// of their file names; files whose name starts with "_" hold shared definitions only.
	DirectusDir = "directus"
	// MetricsServerDir holds metrics-server: RBAC, Deployment, Service and APIService.
	MetricsServerDir = "metrics-server"
)

//go:embed directus/*.yaml metrics-server/*.yaml
var files embed.FS

// FS returns the embedded templates, read-only.
func FS() fs.FS {
	return files
}
