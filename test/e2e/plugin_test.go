package e2e

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubectl-directus/kubectl-directus/test/cluster"
)

func TestPluginVersionDirect(t *testing.T) {
	plugin := cluster.Plugin(t)

	out, err := exec.CommandContext(t.Context(), plugin, "version").CombinedOutput()
	require.NoError(t, err, string(out))
	assert.True(t, strings.HasPrefix(string(out), "kubectl-directus "), string(out))
}

func TestPluginVersionThroughKubectl(t *testing.T) {
	c := cluster.Shared(t)
	cluster.Plugin(t)

	stdout, stderr, err := c.Kubectl(t, "directus", "version")
	require.NoError(t, err, stderr)
	assert.True(t, strings.HasPrefix(stdout, "kubectl-directus "), stdout)

	stdout, _, err = c.Kubectl(t, "plugin", "list", "--name-only")
	require.NoError(t, err)
	assert.Contains(t, stdout, "kubectl-directus")
}
