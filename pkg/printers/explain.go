// Package printers renders the plugin's reports as text, JSON or YAML onto a writer.
package printers

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kubectl-directus/kubectl-directus/pkg/metrics"
)

// maxLeftOut caps the pods listed as left out of a metric; the rest are counted.
const maxLeftOut = 10

// ExplainOutputs lists the formats ExplainPrinter accepts.
func ExplainOutputs() []string { return []string{"text", "json", "yaml"} }

// ExplainPrinter writes a reproduced controller decision.
type ExplainPrinter struct {
	// Output is "text" (the default when empty), "json" or "yaml".
	Output string
}

// Print writes d to w in the printer's format.
func (p ExplainPrinter) Print(w io.Writer, d *metrics.Decision) error {
	switch p.Output {
	case "", "text":
		return printExplainText(terminalSafe(w), d)
	case "json":
		data, err := json.MarshalIndent(d, "", "  ")
		if err != nil {
			return fmt.Errorf("encoding the decision as JSON: %w", err)
		}
		_, err = w.Write(append(data, '\n'))
		return err
	case "yaml":
		data, err := marshalYAML(d)
		if err != nil {
			return fmt.Errorf("encoding the decision as YAML: %w", err)
		}
		_, err = w.Write(data)
		return err
	}
	return fmt.Errorf("unknown output format %q: use one of %s", p.Output,
		strings.Join(ExplainOutputs(), ", "))
}

// textWriter collects lines and keeps the first write error.
type textWriter struct {
	w   io.Writer
	err error
}

func (t *textWriter) line(format string, args ...any) {
	if t.err == nil {
		_, t.err = fmt.Fprintf(t.w, format+"\n", args...)
	}
}

// table writes aligned rows, two spaces between columns, indented by two.
func (t *textWriter) table(rows [][]string) {
	if t.err != nil || len(rows) == 0 {
		return
	}
	tw := tabwriter.NewWriter(t.w, 0, 0, 2, ' ', 0)
	for _, row := range rows {
		fmt.Fprintf(tw, "  %s\n", strings.Join(row, "\t"))
	}
	t.err = tw.Flush()
}

func printExplainText(w io.Writer, d *metrics.Decision) error {
	t := &textWriter{w: w}
	header(t, d)
	if len(d.Metrics) > 0 {
		t.line("")
		metricsSection(t, d)
	}
	t.line("")
	chainSection(t, d)
	t.line("")
	resultSection(t, d)
	if d.NextScaleUp != nil || d.NextScaleDown != nil {
		t.line("")
		nextSection(t, d)
	}
	t.line("")
	notesSection(t, d)
	return t.err
}

func header(t *textWriter, d *metrics.Decision) {
	t.line("HPA %s at %s", d.HPA, d.Time.UTC().Format(time.RFC3339))
	t.line("current %d replicas (min %d, max %d)", d.Current, d.Min, d.Max)
	for _, change := range d.WhatIf {
		t.line("what-if: %s", change)
	}
}

func chainSection(t *textWriter, d *metrics.Decision) {
	t.line("Chain")
	rows := make([][]string, 0, len(d.Steps))
	for _, s := range d.Steps {
		reason := s.Reason
		if reason == "" {
			reason = "-"
		}
		rows = append(rows, []string{s.Name, fmt.Sprintf("%d → %d", s.From, s.To), reason,
			s.Detail})
	}
	t.table(rows)
}

func resultSection(t *textWriter, d *metrics.Decision) {
	switch {
	case d.Rescale:
		t.line("Result: scale from %d to %d replicas (%s)", d.Current, d.Desired,
			orDash(d.RescaleReason))
	case d.StatusDesiredKept:
		t.line("Result: no scaling; status.desiredReplicas keeps its previous value")
	default:
		t.line("Result: stays at %d replicas", d.Desired)
	}

	rows := make([][]string, 0, len(d.Conditions))
	for _, c := range d.Conditions {
		rows = append(rows, []string{string(c.Type), string(c.Status), c.Reason, c.Message})
	}
	t.table(rows)
	for _, e := range d.Events {
		t.line("  event %s %s: %s", e.Type, e.Reason, e.Message)
	}
}

func nextSection(t *textWriter, d *metrics.Decision) {
	t.line("Next (if the metrics call for it from the next sync on)")
	var rows [][]string
	for _, next := range []struct {
		name string
		n    *metrics.NextScale
	}{{"scale-up", d.NextScaleUp}, {"scale-down", d.NextScaleDown}} {
		if next.n != nil {
			rows = append(rows, []string{next.name, describeNext(next.n, d.Time)})
		}
	}
	t.table(rows)
}

func describeNext(n *metrics.NextScale, now time.Time) string {
	if !n.Possible {
		return "not possible: " + n.Blocker
	}
	text := fmt.Sprintf("at the earliest %s (in %s)", n.At.UTC().Format("15:04:05"),
		n.At.Sub(now).Round(time.Second))
	if n.Blocker != "" {
		text += ", held back by the " + n.Blocker
	}
	return text
}

func notesSection(t *textWriter, d *metrics.Decision) {
	h := d.History
	inferred := 0
	for _, r := range h.Recommendations {
		if r.Inferred {
			inferred++
		}
	}
	t.line("History: %d recommendations (%d inferred from rescale events: the controller "+
		"keeps them in memory), %d scale-ups, %d scale-downs", len(h.Recommendations), inferred,
		len(h.ScaleUps), len(h.ScaleDowns))
	for _, gap := range h.Gaps {
		t.line("  gap: %s", gap)
	}
	for _, a := range d.Assumptions {
		t.line("Assuming %s", a)
	}
	for _, u := range d.Uncertain {
		t.line("Uncertain: %s", u)
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
