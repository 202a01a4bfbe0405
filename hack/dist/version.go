package main

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/util/version"
)

// checkVersion accepts what krew accepts as a plugin version: semantic versioning with a
// leading v, such as v1.2.3 or v0.4.0-rc.1.
func checkVersion(v string) error {
	if !strings.HasPrefix(v, "v") {
		return fmt.Errorf("-version %q must start with v, as in v1.2.3", v)
	}
	if _, err := version.ParseSemantic(v); err != nil {
		return fmt.Errorf("-version %q is not a semantic version such as v1.2.3: %w", v, err)
	}
	return nil
}
