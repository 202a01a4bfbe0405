package printers

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/kubectl-directus/kubectl-directus/pkg/diagnose"
)

// DoctorFormats lists the values doctor's -o accepts.
var DoctorFormats = []string{"table", "json", "yaml"}

// DoctorOptions say how a doctor report is printed.
type DoctorOptions struct {
	// Format is table, json or yaml.
	Format string
	// ShowPassed lists, in the table, the checks that found nothing and those a root cause
	// explained; json and yaml always carry them.
	ShowPassed bool
	// Width is the column at which the table wraps text; 100 when zero.
	Width int
}

// PrintDoctor writes a doctor report in the chosen format.
func PrintDoctor(w io.Writer, report *diagnose.Report, opts DoctorOptions) error {
	switch opts.Format {
	case "", "table":
		return writeDoctorText(terminalSafe(w), report, opts)
	case "json":
		data, err := json.MarshalIndent(report, "", "  ")
		if err != nil {
			return fmt.Errorf("encoding the report as JSON: %w", err)
		}
		_, err = fmt.Fprintf(w, "%s\n", data)
		return err
	case "yaml":
		data, err := marshalYAML(report)
		if err != nil {
			return fmt.Errorf("encoding the report as YAML: %w", err)
		}
		_, err = w.Write(data)
		return err
	}
	return fmt.Errorf("unknown output format %q: use one of %s", opts.Format,
		strings.Join(DoctorFormats, ", "))
}

// doctorGroup is one heading of the table: the cluster, or one or more HPAs.
type doctorGroup struct {
	title    string
	findings []diagnose.Finding
	passed   []diagnose.CheckResult
	skipped  []diagnose.NotChecked
}

func writeDoctorText(w io.Writer, report *diagnose.Report, opts DoctorOptions) error {
	width := opts.Width
	if width == 0 {
		width = 100
	}
	var b strings.Builder
	for _, g := range groupReport(report) {
		if len(g.findings) == 0 && len(g.skipped) == 0 && !opts.ShowPassed {
			continue
		}
		b.WriteString(g.title + "\n")
		for _, f := range g.findings {
			writeFinding(&b, f, width)
		}
		writeChecks(&b, g, opts.ShowPassed, width)
		b.WriteString("\n")
	}
	b.WriteString(summaryLine(report) + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

const clusterTitle = "Cluster"

// groupReport puts cluster-scoped findings first, then the findings and checks of each HPA
// in the order the report lists them.
func groupReport(report *diagnose.Report) []*doctorGroup {
	var order []*doctorGroup
	byTitle := map[string]*doctorGroup{}
	group := func(title string) *doctorGroup {
		if g, ok := byTitle[title]; ok {
			return g
		}
		g := &doctorGroup{title: title}
		byTitle[title] = g
		order = append(order, g)
		return g
	}
	group(clusterTitle)
	for _, f := range report.Findings {
		g := group(findingTitle(f))
		g.findings = append(g.findings, f)
	}
	for _, c := range report.Checked {
		if c.Result != diagnose.ResultFound {
			g := group(subjectTitle(c.Subject))
			g.passed = append(g.passed, c)
		}
	}
	for _, n := range report.CouldNotCheck {
		g := group(subjectTitle(n.Subject))
		g.skipped = append(g.skipped, n)
	}
	return order
}

// findingTitle groups a finding under the HPAs it concerns, or the cluster when its subject
// is cluster-scoped.
func findingTitle(f diagnose.Finding) string {
	if f.Subject.Namespace == "" || len(f.HPAs) == 0 {
		return clusterTitle
	}
	return plural(len(f.HPAs), "HPA ", "HPAs ") + strings.Join(f.HPAs, ", ")
}

func subjectTitle(s *diagnose.Subject) string {
	if s == nil {
		return clusterTitle
	}
	return "HPA " + s.Namespace + "/" + s.Name
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// severityLabel is the fixed-width tag of a severity in the table.
func severityLabel(s diagnose.Severity) string {
	switch s {
	case diagnose.Error:
		return "ERROR"
	case diagnose.Warning:
		return "WARN "
	case diagnose.Info:
		return "INFO "
	}
	return "OK   "
}

const (
	findingIndent  = "  "
	detailIndent   = "      "
	evidenceIndent = "        "
)

func writeFinding(b *strings.Builder, f diagnose.Finding, width int) {
	head := fmt.Sprintf("%s%s %s %s %s/%s", findingIndent, severityLabel(f.Severity), f.ID,
		f.Subject.Kind, f.Subject.Namespace, f.Subject.Name)
	if f.Subject.Namespace == "" {
		head = fmt.Sprintf("%s%s %s %s %s", findingIndent, severityLabel(f.Severity), f.ID,
			f.Subject.Kind, f.Subject.Name)
	}
	b.WriteString(head + "\n")
	wrapInto(b, f.Message, detailIndent, detailIndent, width)
	for _, e := range f.Evidence {
		wrapInto(b, e, detailIndent+"- ", evidenceIndent, width)
	}
	if f.Remediation != "" {
		wrapInto(b, f.Remediation, detailIndent+"fix: ", detailIndent+"     ", width)
	}
}

func writeChecks(b *strings.Builder, g *doctorGroup, showPassed bool, width int) {
	if showPassed {
		for _, c := range g.passed {
			line := fmt.Sprintf("%s %s", c.ID, c.Title)
			if c.Result == diagnose.ResultExplained {
				line += " (not run: explained by " + c.ExplainedBy + ")"
			}
			wrapInto(b, line, findingIndent+"OK    ", detailIndent+"  ", width)
		}
	}
	for _, n := range g.skipped {
		wrapInto(b, fmt.Sprintf("%s %s: %s", n.ID, n.Title, n.Reason),
			findingIndent+"NOT CHECKED ", detailIndent+"  ", width)
	}
}

// wrapInto writes text after first, wrapping at width with later lines after rest. A word
// longer than the line stays whole.
func wrapInto(b *strings.Builder, text, first, rest string, width int) {
	prefix := first
	line := prefix
	for _, word := range strings.Fields(text) {
		if len(line) > len(prefix) && len(line)+1+len(word) > width {
			b.WriteString(line + "\n")
			prefix = rest
			line = prefix
		}
		if len(line) > len(prefix) {
			line += " "
		}
		line += word
	}
	b.WriteString(line + "\n")
}

// summaryLine counts what was found and checked. A status of checks that could not all run
// says so: "OK" alone would promise more than was seen.
func summaryLine(report *diagnose.Report) string {
	s := report.Summary
	status := strings.ToUpper(s.Status.String())
	if len(report.CouldNotCheck) > 0 {
		status += " (incomplete)"
	}
	return fmt.Sprintf("Status: %s. %d %s, %d %s, %d info; %d %s passed, %d could not be "+
		"checked; %d %s judged.", status, s.Counts.Error,
		plural(s.Counts.Error, "error", "errors"), s.Counts.Warning,
		plural(s.Counts.Warning, "warning", "warnings"), s.Counts.Info, s.Counts.Passed,
		plural(s.Counts.Passed, "check", "checks"), len(report.CouldNotCheck), s.HPAs,
		plural(s.HPAs, "HPA", "HPAs"))
}
