package diagnose

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestBaselineIsHealthy(t *testing.T) {
	report := baseline().report(t)

	for _, f := range report.Findings {
		assert.LessOrEqual(t, f.Severity, Info, "baseline finding %s: %s %v", f.ID, f.Message,
			f.Evidence)
	}
	assert.Empty(t, report.CouldNotCheck)
	assert.Equal(t, 1, report.Summary.HPAs)
}
