package printers

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/kubectl-directus/kubectl-directus/pkg/load"
)

// LoadLive is the live view of a load run: one line per sample and per rescale, written as
// they happen (to stderr, by the verb).
type LoadLive struct {
	mu            sync.Mutex
	w             io.Writer
	start         time.Time
	lastProblem   string
	lastGenerator string
}

// NewLoadLive returns a live view that measures elapsed time from start.
func NewLoadLive(w io.Writer, start time.Time) *LoadLive {
	return &LoadLive{w: w, start: start}
}

// Notice writes a line of its own.
func (l *LoadLive) Notice(format string, args ...any) {
	l.line(time.Now(), fmt.Sprintf(format, args...))
}

// Sample writes the replicas, readiness and metrics of one sample, and the generator's
// state when it changed. A problem condition is shown when it changes.
func (l *LoadLive) Sample(s load.Sample, spec load.HPASpec, generator string) {
	l.mu.Lock()
	if generator == l.lastGenerator {
		generator = ""
	} else {
		l.lastGenerator = generator
	}
	l.mu.Unlock()

	var parts []string
	if spec.Name != "" {
		parts = append(parts, replicasText(s))
		if s.ReadyPods >= 0 {
			parts = append(parts, fmt.Sprintf("ready %d", s.ReadyPods))
		}
		parts = append(parts, MetricsText(s.Metrics))
	}
	if generator != "" {
		parts = append(parts, "generator: "+generator)
	}
	l.line(s.At, strings.Join(parts, "   "))

	l.mu.Lock()
	changed := s.Problem != l.lastProblem
	l.lastProblem = s.Problem
	l.mu.Unlock()
	if changed && s.Problem != "" {
		l.line(s.At, "HPA problem: "+s.Problem)
	}
}

// Rescale writes one rescale.
func (l *LoadLive) Rescale(r load.Rescale) {
	verb := "scaled down"
	if r.Up() {
		verb = "scaled up"
	}
	msg := fmt.Sprintf("%s %d -> %d", verb, r.From, r.To)
	if r.Reason != "" {
		msg += ": " + r.Reason
	}
	l.line(r.At, msg)
}

func (l *LoadLive) line(at time.Time, msg string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, "%7s  %s\n", minSec(at.Sub(l.start).Seconds()), msg)
}

// replicasText shows current and desired replicas; a desired count of 0 next to running
// pods is what the HPA reports before its first computation, so it is left out.
func replicasText(s load.Sample) string {
	if s.DesiredReplicas != s.CurrentReplicas && s.DesiredReplicas > 0 {
		return fmt.Sprintf("replicas %d (desired %d)", s.CurrentReplicas, s.DesiredReplicas)
	}
	return fmt.Sprintf("replicas %d", s.CurrentReplicas)
}

// MetricsText shows each metric as "cpu 95%/70%", with <unknown> for a metric the
// controller could not compute.
func MetricsText(metrics []load.MetricSample) string {
	parts := make([]string, 0, len(metrics))
	for _, m := range metrics {
		current := "<unknown>"
		if m.Current != nil {
			current = metricValue(*m.Current, m.Utilization)
		}
		parts = append(parts, m.Name+" "+current+"/"+metricValue(m.Target, m.Utilization))
	}
	return strings.Join(parts, "   ")
}

func metricValue(v float64, utilization bool) string {
	if utilization {
		return fmt.Sprintf("%.0f%%", v)
	}
	return trimFloat(v)
}
