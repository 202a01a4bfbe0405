package printers

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/kubectl-directus/kubectl-directus/pkg/load"
)

// Sizes of the load report: the utilization chart has a row per 10 %.
const (
	loadUtilizationRows  = 11
	loadLabelColumnWidth = 20
)

// WriteLoadData writes the report whole, time series included, as "json" or "yaml".
func WriteLoadData(w io.Writer, format string, rep *load.Report) error {
	var data []byte
	var err error
	switch format {
	case "json":
		data, err = json.MarshalIndent(rep, "", "  ")
		data = append(data, '\n')
	case "yaml":
		data, err = yaml.Marshal(rep)
	default:
		return fmt.Errorf("unknown output format %q: use json or yaml", format)
	}
	if err != nil {
		return fmt.Errorf("encoding the load report as %s: %w", format, err)
	}
	_, err = w.Write(data)
	return err
}

// WriteLoadReport writes the report for people: what ran, the judgement, the rescales, the
// generator's own figures for a local run, notes, and the charts.
func WriteLoadReport(w io.Writer, rep *load.Report) error {
	var b strings.Builder
	b.WriteString(runHeadline(rep) + "\n")
	if rep.HPA != nil {
		b.WriteString(hpaHeadline(rep) + "\n")
	}
	b.WriteString("\n")

	tw := tabwriter.NewWriter(&b, loadLabelColumnWidth, 0, 2, ' ', 0)
	writeLoadFacts(tw, rep)
	if rep.Local != nil {
		writeLocalFacts(tw, rep.Local)
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	writeRescales(&b, rep)
	writeNotes(&b, rep.Notes)
	if err := writeLoadCharts(&b, rep); err != nil {
		return err
	}
	_, err := io.WriteString(terminalSafe(w), b.String())
	return err
}

func runHeadline(rep *load.Report) string {
	bound := fmt.Sprintf("%d requests", rep.Requests)
	if rep.Duration > 0 {
		bound = minSec(rep.Duration)
	}
	where := "from this machine"
	if rep.Mode == "cluster" {
		where = fmt.Sprintf("with %s in Job %s/%s", rep.Tool, rep.Namespace, rep.Job)
	}
	return fmt.Sprintf("Load run %s: %d %s for %s against %s, %s", rep.RunID,
		rep.Concurrency, plural(rep.Concurrency, "worker", "workers"), bound, rep.URL, where)
}

func hpaHeadline(rep *load.Report) string {
	h := rep.HPA
	return fmt.Sprintf("HPA %s/%s: %d to %d replicas; scale-up window %ds, scale-down "+
		"window %ds; tolerance %.0f%%", rep.Namespace, h.Name, h.MinReplicas, h.MaxReplicas,
		h.ScaleUp.WindowSeconds, h.ScaleDown.WindowSeconds, h.ScaleUp.Tolerance*100)
}

func fact(w io.Writer, label, format string, args ...any) {
	fmt.Fprintf(w, "%s\t%s\n", label, fmt.Sprintf(format, args...))
}

func writeLoadFacts(w io.Writer, rep *load.Report) {
	fact(w, "Load", "%s, from %s to %s", minSec(rep.LoadEnd.Sub(rep.LoadStart).Seconds()),
		clock(rep.LoadStart), clock(rep.LoadEnd))
	if rep.HPA == nil {
		return
	}
	fact(w, "Threshold crossed", "%s", crossingText(rep))
	fact(w, "First scale-up", "%s", judgedText(rep.ScaleUp, "the load started",
		"no scale-up during the run"))
	fact(w, "Peak", "%s", peakText(rep.Peak))
	if d := rep.ScaleDown; d != nil {
		fact(w, "First scale-down", "%s", judgedText(d.FirstDown, "the load stopped",
			"no scale-down during the run"))
		fact(w, "Back at minimum", "%s", returnText(rep, d))
	}
}

func crossingText(rep *load.Report) string {
	c := rep.Crossing
	switch {
	case rep.AlreadyAbove:
		return "already above the threshold when the run started"
	case c == nil:
		return "never: no metric passed its target by more than the tolerance"
	}
	m := metricByName(rep, c.Metric)
	return fmt.Sprintf("%s after the load started: %s %s against a %s target (acts above %s)",
		minSec(c.Seconds), c.Metric, metricValue(c.Current, m.Utilization),
		metricValue(c.Target, m.Utilization),
		metricValue(c.Target*(1+rep.HPA.ScaleUp.Tolerance), m.Utilization))
}

func metricByName(rep *load.Report, name string) load.MetricSample {
	for _, s := range rep.Series {
		for _, m := range s.Metrics {
			if m.Name == name {
				return m
			}
		}
	}
	return load.MetricSample{}
}

// judgedText describes a judged rescale: sizes, times and the verdict with its window.
func judgedText(j *load.Judged, since, none string) string {
	if j == nil {
		return none
	}
	text := fmt.Sprintf("%d -> %d, %s after %s", j.Rescale.From, j.Rescale.To,
		minSec(j.SecondsAfterLoad), since)
	if j.Since == nil {
		return text + "; " + j.Verdict + ": " + j.Why
	}
	return fmt.Sprintf("%s; %s after the metrics called for it: %s (expected %s)", text,
		minSec(j.Delay), strings.ToUpper(j.Verdict), windowText(j.Expected))
}

func windowText(w load.Window) string {
	return minSec(w.MinSeconds) + " to " + minSec(w.MaxSeconds)
}

func peakText(p load.Peak) string {
	text := fmt.Sprintf("%d replicas", p.Replicas)
	switch {
	case p.LimitedByMax:
		return text + ": held at maxReplicas " + fmt.Sprint(p.Max) + " while the controller " +
			"wanted more"
	case p.Replicas >= p.Max:
		return text + ": reached maxReplicas, which was enough"
	default:
		return text + fmt.Sprintf(", below maxReplicas %d", p.Max)
	}
}

func returnText(rep *load.Report, d *load.ScaleDown) string {
	if d.ReturnedAt == nil {
		text := fmt.Sprintf("not by the end of the run (%d replicas)", lastReplicas(rep))
		if len(d.BlockedBy) > 0 {
			text += ": " + strings.Join(d.BlockedBy, "; ")
		}
		return text
	}
	text := fmt.Sprintf("%s after the load stopped", minSec(d.SecondsAfterLoad))
	if d.Expected != nil && d.Verdict != load.VerdictUnjudged {
		text += fmt.Sprintf(": %s (expected %s)", strings.ToUpper(d.Verdict),
			windowText(*d.Expected))
	}
	return text
}

func lastReplicas(rep *load.Report) int32 {
	if len(rep.Series) == 0 {
		return 0
	}
	return rep.Series[len(rep.Series)-1].CurrentReplicas
}

func writeLocalFacts(w io.Writer, r *load.LocalResult) {
	fact(w, "Requests", "%d in %.1fs: %.1f/s, %d errors, %d unfinished at the end",
		r.Requests, r.Seconds, r.RequestsPerSecond, r.Errors, r.Unfinished)
	l := r.Latency
	if r.Answered() == 0 {
		fact(w, "Latency", "%s", "<none>: no request was answered")
	} else {
		fact(w, "Latency", "min %.1fms, mean %.1fms, p50 %.1fms, p90 %.1fms, p99 %.1fms, "+
			"max %.1fms", l.MinMs, l.MeanMs, l.P50Ms, l.P90Ms, l.P99Ms, l.MaxMs)
	}
	codes := make([]string, 0, len(r.StatusCodes))
	for _, c := range r.StatusCodes {
		codes = append(codes, fmt.Sprintf("%d: %d", c.Code, c.Count))
	}
	fact(w, "Status codes", "%s", orNone(strings.Join(codes, ", ")))
	for _, e := range r.ErrorKinds {
		fact(w, "Errors", "%d x %s", e.Count, e.Error)
	}
}

func orNone(s string) string {
	if s == "" {
		return "<none>"
	}
	return s
}

func writeRescales(b *strings.Builder, rep *load.Report) {
	if rep.HPA == nil {
		return
	}
	b.WriteString("\nRescales\n")
	if len(rep.Rescales) == 0 {
		b.WriteString("  <none>\n")
		return
	}
	tw := tabwriter.NewWriter(b, 0, 0, 3, ' ', 0)
	fmt.Fprintln(tw, "  AT\tFROM\tTO\tREASON")
	for _, r := range rep.Rescales {
		fmt.Fprintf(tw, "  %s\t%d\t%d\t%s\n", minSec(r.At.Sub(rep.Start).Seconds()), r.From,
			r.To, orNone(r.Reason))
	}
	_ = tw.Flush() // writes to a strings.Builder, which cannot fail
}

func writeNotes(b *strings.Builder, notes []string) {
	if len(notes) == 0 {
		return
	}
	b.WriteString("\nNotes\n")
	for _, n := range notes {
		b.WriteString("  - " + n + "\n")
	}
}

func clock(t time.Time) string { return t.Format("15:04:05") }

// Marks of the utilization chart's series and of their target lines, in metric order.
const (
	seriesMarks = "*o+x"
	targetMarks = ".:,;"
)

// writeLoadCharts draws replicas over the run with the same step chart as the events view,
// then the utilization of each metric with a Utilization target against that target.
func writeLoadCharts(b *strings.Builder, rep *load.Report) error {
	if rep.HPA == nil || len(rep.Series) == 0 {
		return nil
	}
	b.WriteString("\nReplicas (load " + clock(rep.LoadStart) + " to " + clock(rep.LoadEnd) +
		", maxReplicas " + fmt.Sprint(rep.HPA.MaxReplicas) + ")\n")
	for _, line := range replicaChart(rep).Lines() {
		b.WriteString(line + "\n")
	}

	usage := LineChart{Title: "Utilization, % of requests, over the same run", Unit: "%",
		Height: loadUtilizationRows, Width: ChartWidth, XMax: rep.End.Sub(rep.Start).Seconds()}
	addUtilization(&usage, rep)
	if len(usage.Series) == 0 {
		return nil
	}
	b.WriteString("\n")
	return usage.Render(b)
}

// replicaChart steps at the rescales, which are exact in time, from the count of the first
// sample.
func replicaChart(rep *load.Report) StepChart {
	initial := rep.Series[0].CurrentReplicas
	steps := make([]Step, 0, len(rep.Rescales))
	for _, r := range rep.Rescales {
		steps = append(steps, Step{At: r.At, Value: r.To})
	}
	return StepChart{Steps: steps, Initial: &initial, Start: rep.Start, End: rep.End,
		Width: ChartWidth, MaxRows: chartRows}
}

func addUtilization(c *LineChart, rep *load.Report) {
	for i, m := range rep.Series[0].Metrics {
		if !m.Utilization || i >= len(seriesMarks) {
			continue
		}
		var points []LinePoint
		for _, s := range rep.Series {
			if i < len(s.Metrics) && s.Metrics[i].Current != nil {
				points = append(points, LinePoint{X: s.At.Sub(rep.Start).Seconds(),
					Y: *s.Metrics[i].Current})
			}
		}
		c.Series = append(c.Series, LineSeries{Name: m.Name, Mark: seriesMarks[i],
			Points: points})
		c.Lines = append(c.Lines, RefLine{Name: fmt.Sprintf("%s target %.0f%%", m.Name,
			m.Target), Y: m.Target, Mark: targetMarks[i]})
	}
}
