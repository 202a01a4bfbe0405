package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// runPlugin runs the command tree with args against an empty kubeconfig and returns the exit
// code, stdout and stderr.
func runPlugin(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	kubeconfig := filepath.Join(t.TempDir(), "config")
	require.NoError(t, os.WriteFile(kubeconfig, nil, 0o600))
	t.Setenv("KUBECONFIG", kubeconfig)

	var out, errOut bytes.Buffer
	streams := genericiooptions.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
	code := run(args, streams)
	return code, out.String(), errOut.String()
}

func TestDeployClientDryRunPrintsTheRelease(t *testing.T) {
	code, out, errOut := runPlugin(t, "deploy", "shop", "-n", "cms", "--dry-run=client",
		"--min", "3", "--max", "12")
	require.Equal(t, 0, code, errOut)
	assert.Empty(t, errOut, "a client dry run talks to no cluster and has nothing to report")
	assert.True(t, strings.HasPrefix(out, "apiVersion: v1\nitems:\n"), out[:80])
	assert.Contains(t, out, "name: shop-directus\n")
	assert.Contains(t, out, "namespace: cms\n")
	assert.Contains(t, out, "minReplicas: 3\n")
	assert.Contains(t, out, "maxReplicas: 12\n")
}

func TestDeployOutputJSONWithoutDryRunDoesNotApply(t *testing.T) {
	code, out, errOut := runPlugin(t, "deploy", "-n", "cms", "-o", "json", "--with-metrics-server")
	require.Equal(t, 0, code, errOut)

	var list struct {
		Kind  string `json:"kind"`
		Items []struct {
			Kind     string `json:"kind"`
			Metadata struct {
				Name string `json:"name"`
			} `json:"metadata"`
		} `json:"items"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &list))
	assert.Equal(t, "List", list.Kind)
	require.Len(t, list.Items, 19)
	assert.Equal(t, "ServiceAccount", list.Items[0].Kind)
	assert.Equal(t, "HorizontalPodAutoscaler", list.Items[18].Kind)
	assert.Equal(t, "directus-directus", list.Items[18].Metadata.Name)
}

func TestDeployRefusesBadFlags(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"deploy", "My_CMS"}, `error: NAME "My_CMS" is not a DNS label`},
		{[]string{"deploy", "--min", "5", "--max", "2"},
			"error: --min 5 is greater than --max 2: set --max to at least --min"},
		{[]string{"deploy", "--cpu-target", "150"},
			"error: --cpu-target 150 is out of range: use 1 to 100 (percent)"},
		{[]string{"deploy", "--memory-target", "0"},
			"error: --memory-target 0 is out of range: use 1 to 100 (percent)"},
		{[]string{"deploy", "--scale-down-window", "7200"},
			"error: --scale-down-window 7200 is out of range: use 0 to 3600 (seconds)"},
		{[]string{"deploy", "--image", "directus/directus:latest"},
			"uses the moving tag latest: pin a version"},
		{[]string{"deploy", "--dry-run=maybe"},
			`error: --dry-run "maybe" is not one of none, client, server`},
		{[]string{"deploy", "-o", "table"},
			`allowed formats are: json,kyaml,yaml`},
		{[]string{"deploy", "--timeout", "0s"}, "error: --timeout 0s must be positive"},
		{[]string{"deploy", "a", "b"}, "error: accepts at most 1 arg(s), received 2"},
		{[]string{"delete", "bad_name"}, `error: NAME "bad_name" is not a DNS label`},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			code, out, errOut := runPlugin(t, append(c.args, "-n", "cms")...)
			assert.Equal(t, 1, code)
			assert.Empty(t, out, "errors go to stderr only")
			assert.Contains(t, errOut, c.want)
			assert.Equal(t, 1, strings.Count(errOut, "error: "), "printed once: %s", errOut)
		})
	}
}

func TestDeployUnreachableServer(t *testing.T) {
	kubeconfig := filepath.Join(t.TempDir(), "config")
	require.NoError(t, os.WriteFile(kubeconfig, []byte(`apiVersion: v1
kind: Config
clusters:
- name: gone
  cluster: {server: "https://127.0.0.1:1"}
contexts:
- name: gone
  context: {cluster: gone, user: nobody, namespace: cms}
current-context: gone
users:
- name: nobody
  user: {token: none}
`), 0o600))

	var out, errOut bytes.Buffer
	streams := genericiooptions.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
	code := run([]string{"deploy", "--kubeconfig", kubeconfig, "--request-timeout", "5s"}, streams)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut.String(), "error: cannot reach the Kubernetes API server "+
		"https://127.0.0.1:1")
	assert.Contains(t, errOut.String(), "check --kubeconfig and --context")
	assert.Empty(t, out.String())

	code = run([]string{"delete", "--kubeconfig", kubeconfig}, streams)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut.String(), "cannot reach the Kubernetes API server")
}
