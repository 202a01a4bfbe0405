package printers

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hostile is an event message as anyone allowed to create events can write it: colour,
// a screen clear, a carriage return that would overwrite the line, and a C1 control.
const hostile = "Scaled\x1b[31m red\x1b[2J\rgone\u009b"

func TestRenderEscapesControlsFromTheCluster(t *testing.T) {
	doc := &Document{Blocks: []Block{
		{ID: "note", Text: "event: " + hostile},
		{ID: "events", Table: &Table{Headers: []string{"REASON", "MESSAGE"},
			Rows: []Row{{Key: "1", Cells: []string{"SuccessfulRescale", hostile + "\tnext"}}}}},
	}}
	var out bytes.Buffer

	require.NoError(t, Render(&out, doc, RenderOptions{}))

	text := out.String()
	assert.NotContains(t, text, "\x1b")
	assert.NotContains(t, text, "\r")
	assert.NotContains(t, text, "\u009b")
	assert.Contains(t, text, `Scaled\x1b[31m red\x1b[2J\x0dgone\u009b\x09next`)
	assert.Equal(t, 4, strings.Count(text, "\n"), "only the printer's own line breaks")
}

func TestDoctorTextEscapesControlsInEvidence(t *testing.T) {
	report := sampleDoctorReport()
	report.Findings[1].Evidence = append(report.Findings[1].Evidence, "event: "+hostile)
	var out bytes.Buffer

	require.NoError(t, PrintDoctor(&out, report, DoctorOptions{}))

	assert.NotContains(t, out.String(), "\x1b")
	assert.Contains(t, out.String(), `\x1b[2J`)
}

func TestEscapeTextLeavesPlainTextAlone(t *testing.T) {
	plain := "cms-7d9c5 → 4 replicas, 70 %\n\tnext"
	assert.Equal(t, plain, escapeText(plain, "\n\t"))
	assert.Equal(t, `a\x0ab`, safeCell("a\nb"))
}
