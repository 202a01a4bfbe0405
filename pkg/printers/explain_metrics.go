package printers

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/kubectl-directus/kubectl-directus/pkg/metrics"
)

func metricsSection(t *textWriter, d *metrics.Decision) {
	t.line("Metrics")
	for i := range d.Metrics {
		m := &d.Metrics[i]
		metricHead(t, m)
		switch {
		case m.Pods != nil:
			podMetric(t, m, m.Pods)
		case m.Value != nil:
			valueMetric(t, m.Value)
		}
		if !m.Valid && !m.NotObserved {
			t.line("      error: %s", m.EventMessage)
		}
	}
	if c := d.Combination; c != nil && c.Winner >= 0 && !c.Blocked {
		w := d.Metrics[c.Winner]
		t.line("  The highest proposal wins: [%d] %s with %d.", w.Index+1, w.Name, c.Proposal)
	}
}

func metricHead(t *textWriter, m *metrics.MetricResult) {
	var outcome string
	switch {
	case m.NotObserved:
		outcome = "not observed: " + m.Error
	case !m.Valid:
		outcome = "invalid (" + m.ConditionReason + ")"
	default:
		outcome = fmt.Sprintf("proposes %d", m.Proposal)
	}
	target := ""
	if m.Target != "" {
		target = ", target " + m.Target
	}
	t.line("  [%d] %s%s: %s", m.Index+1, m.Name, target, outcome)
}

// podMetric explains a pod-based calculation: groups, ratio, then the branch taken.
func podMetric(t *textWriter, m *metrics.MetricResult, c *metrics.Calculation) {
	g := c.Grouping
	t.line("      pods: %d counted, %d unready, %d missing, %d ignored", g.Counted, g.Unready,
		g.Missing, g.Ignored)
	if len(g.Extra) > 0 {
		t.line("      samples of pods not in the list, kept by the controller: %d", len(g.Extra))
	}
	leftOut(t, g)
	if c.Path == "" {
		return
	}

	if c.Requests > 0 {
		t.line("      utilization %d%% = %s used of %s requested (truncated); ratio %.3f",
			c.Utilization, amount(m.Resource, c.Usage), amount(m.Resource, c.Requests), c.Ratio)
	} else {
		t.line("      average %s over %d samples; ratio %.3f", amount(m.Resource, c.Average),
			c.Samples, c.Ratio)
	}
	branch(t, m, c)
}

func leftOut(t *textWriter, g metrics.Grouping) {
	shown := 0
	for _, p := range g.Pods {
		if p.Treatment == metrics.Counted {
			continue
		}
		if shown == maxLeftOut {
			t.line("        … and %d more", g.Unready+g.Missing+g.Ignored-shown)
			return
		}
		t.line("        %s %s: %s", p.Name, p.Treatment, p.Reason.Explain())
		shown++
	}
}

func branch(t *textWriter, m *metrics.MetricResult, c *metrics.Calculation) {
	tol := c.Tolerances.String()
	switch c.Path {
	case metrics.PathWithinTolerance:
		t.line("      within tolerance %s: keeps %d", tol, c.Proposal)
		return
	case metrics.PathScaled:
		t.line("      outside tolerance %s: ceil(%.3f × %d counted) = %d", tol, c.Ratio,
			c.Grouping.Counted, c.Proposal)
		return
	}

	f := c.Fill
	t.line("      fill: %s; %d unready at 0 → %s; new ratio %.3f", missingFill(m, f),
		f.UnreadyFilled, refilled(m, c), f.NewRatio)
	switch c.Path {
	case metrics.PathFillWithinTolerance:
		t.line("      new ratio within tolerance %s: keeps %d", tol, c.Proposal)
	case metrics.PathFillReversed:
		t.line("      the fill turns the direction around: keeps %d", c.Proposal)
	case metrics.PathFillCountReversed:
		t.line("      ceil(%.3f × %d) would move against the ratio: keeps %d", f.NewRatio,
			f.Count, c.Proposal)
	default:
		t.line("      ceil(%.3f × %d) = %d", f.NewRatio, f.Count, c.Proposal)
	}
}

func missingFill(m *metrics.MetricResult, f *metrics.Fill) string {
	switch {
	case f.MissingPercent > 0:
		return fmt.Sprintf("%d missing at %d%% of request", f.MissingFilled, f.MissingPercent)
	case f.MissingValue > 0:
		return fmt.Sprintf("%d missing at %s", f.MissingFilled, amount(m.Resource, f.MissingValue))
	}
	return fmt.Sprintf("%d missing at 0", f.MissingFilled)
}

func refilled(m *metrics.MetricResult, c *metrics.Calculation) string {
	if c.Requests > 0 {
		return fmt.Sprintf("utilization %d%% over %d pods", c.Fill.NewUtilization, c.Fill.Count)
	}
	return fmt.Sprintf("average %s over %d pods", amount(m.Resource, c.Fill.NewAverage),
		c.Fill.Count)
}

func valueMetric(t *textWriter, v *metrics.ValueCalculation) {
	if v.PerPod {
		t.line("      total %s over %d replicas against %s per pod; ratio %.3f",
			amount("", v.Usage), v.StatusReplicas, amount("", v.Target), v.Ratio)
	} else {
		t.line("      value %s against %s; ratio %.3f", amount("", v.Usage),
			amount("", v.Target), v.Ratio)
	}
	switch {
	case v.Within:
		t.line("      within tolerance %s: keeps %d", v.Tolerances, v.Proposal)
	case v.PerPod:
		t.line("      ceil(%s / %s) = %d", amount("", v.Usage), amount("", v.Target),
			v.Proposal)
	case v.ReadyPods > 0 || v.Proposal == 0:
		t.line("      ceil(%.3f × %d ready pods) = %d", v.Ratio, v.ReadyPods, v.Proposal)
	default:
		t.line("      from zero replicas: ceil(%.3f) = %d", v.Ratio, v.Proposal)
	}
}

// amount formats milli-units: memory in binary units, everything else in decimal ones.
func amount(r corev1.ResourceName, milli int64) string {
	format := resource.DecimalSI
	if r == corev1.ResourceMemory {
		format = resource.BinarySI
	}
	return resource.NewMilliQuantity(milli, format).String()
}
