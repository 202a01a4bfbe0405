package diagnose

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// requireFinding returns the one finding with that ID, failing the test when there is none or
// more than one.
func requireFinding(t *testing.T, report *Report, id string) Finding {
	t.Helper()
	var found []Finding
	for _, f := range report.Findings {
		if f.ID == id {
			found = append(found, f)
		}
	}
	require.Len(t, found, 1, "findings with ID %s; all findings: %s", id, describeFindings(report))
	return found[0]
}

// assertEvidence checks that every wanted item appears in some evidence line (as a
// substring: the items are names and values, not sentences).
func assertEvidence(t *testing.T, f Finding, wanted ...string) {
	t.Helper()
	for _, w := range wanted {
		assert.True(t, containsItem(f.Evidence, w), "finding %s: no evidence mentions %q in:\n  %s",
			f.ID, w, strings.Join(f.Evidence, "\n  "))
	}
}

// assertNoEvidence checks that no evidence line mentions any of the items.
func assertNoEvidence(t *testing.T, f Finding, unwanted ...string) {
	t.Helper()
	for _, u := range unwanted {
		assert.False(t, containsItem(f.Evidence, u), "finding %s: evidence mentions %q:\n  %s",
			f.ID, u, strings.Join(f.Evidence, "\n  "))
	}
}

func containsItem(lines []string, item string) bool {
	for _, line := range lines {
		if strings.Contains(line, item) {
			return true
		}
	}
	return false
}

// assertOnlyProblems checks that the findings at warning level or above are exactly ids.
func assertOnlyProblems(t *testing.T, report *Report, ids ...string) {
	t.Helper()
	var got []string
	for _, f := range report.Findings {
		if f.Severity >= Warning {
			got = append(got, f.ID)
		}
	}
	assert.ElementsMatch(t, ids, got, "problems reported: %s", describeFindings(report))
}

// assertAtMost checks that no finding is above severity max.
func assertAtMost(t *testing.T, report *Report, max Severity) {
	t.Helper()
	for _, f := range report.Findings {
		assert.LessOrEqual(t, f.Severity, max, "finding above %s: %s %s", max, f.ID, f.Message)
	}
}

func describeFindings(report *Report) string {
	var b strings.Builder
	for _, f := range report.Findings {
		b.WriteString("\n  " + f.Severity.String() + " " + f.ID + " " + f.Subject.Kind + "/" +
			f.Subject.Name + ": " + f.Message)
		for _, e := range f.Evidence {
			b.WriteString("\n      - " + e)
		}
	}
	return b.String()
}
