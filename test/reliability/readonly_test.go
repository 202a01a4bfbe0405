package reliability

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubectl-directus/kubectl-directus/test/cluster"
)

// readRuns are the read-only verbs in every scope and mode, watch modes stopped after a few
// seconds with Ctrl-C.
func readRuns(ns string) []struct {
	args []string
	stop time.Duration
} {
	type run = struct {
		args []string
		stop time.Duration
	}
	return []run{
		{args: []string{"doctor", "-n", ns}},
		{args: []string{"doctor", "cms", "-n", ns, "-o", "json"}},
		{args: []string{"doctor", "-A"}},
		{args: []string{"top", "-n", ns}},
		{args: []string{"top", "-A", "--containers"}},
		{args: []string{"top", "nodes"}},
		{args: []string{"top", "-n", ns, "--watch", "--interval", "1s"}, stop: 4 * time.Second},
		{args: []string{"status", "-n", ns}},
		{args: []string{"status", "-A", "-o", "json"}},
		{args: []string{"status", "-n", ns, "--watch", "--interval", "1s"}, stop: 4 * time.Second},
		{args: []string{"events", "-n", ns}},
		{args: []string{"events", "-A", "-o", "yaml"}},
		{args: []string{"events", "-n", ns, "--watch"}, stop: 4 * time.Second},
		{args: []string{"explain", "cms", "-n", ns}},
		{args: []string{"explain", "cms", "-n", ns, "--cpu", "150%", "-o", "json"}},
	}
}

// readVerbs are the HTTP methods and audit verbs a read-only verb may use.
var (
	readMethods = []string{"GET"}
	readVerbs   = []string{"get", "list", "watch"}
)

func TestReadOnlyVerbsSendOnlyReads(t *testing.T) {
	c := cluster.Shared(t)
	ns := c.Namespace(t)
	measuredCMS(t, c, ns, "cms")

	for _, r := range readRuns(ns) {
		t.Run(strings.Join(r.args, " "), func(t *testing.T) {
			mark := markAudit(t, c)
			res := plugin(t, c, r.stop, r.args...)
			require.Contains(t, []int{0, 2}, res.Code, res.String())
			audited := pluginAudit(t, c, mark)

			require.NotEmpty(t, res.Requests, "the request log is empty")
			for _, line := range res.Requests {
				method, _, _ := strings.Cut(line, " ")
				assert.Contains(t, readMethods, method, "the plugin sent %s", line)
			}
			require.NotEmpty(t, audited, "the API server audited nothing from the plugin")
			for _, ev := range audited {
				assert.Contains(t, readVerbs, ev.Verb, "the API server saw %s %s", ev.Verb, ev.URI)
			}
			assert.Equal(t, len(res.Requests), len(audited),
				"the plugin's log and the audit log disagree:\n%s\n---\n%s",
				strings.Join(res.Requests, "\n"), auditURIs(audited))
		})
	}
}

// auditURIs lists audited requests as "verb URI", sorted.
func auditURIs(events []auditEvent) string {
	lines := make([]string, 0, len(events))
	for _, ev := range events {
		lines = append(lines, ev.Verb+" "+ev.URI)
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}
