package metrics

import (
	"fmt"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
)

// metrics computes every metric and combines them. It reports whether normalization follows.
func (dc *decider) metrics(pods []*corev1.Pod) bool {
	d := &dc.d
	d.Stage = StageMetrics
	ctx := &metricContext{
		namespace: dc.in.HPA.Namespace, pods: pods, source: dc.in.Source,
		specReplicas: d.Current, statusReplicas: dc.in.Scale.StatusReplicas,
		tolerances: dc.tolerances(), settings: dc.in.Settings, now: dc.in.Now,
	}
	if len(dc.in.HPA.Spec.Metrics) == 0 {
		d.Uncertain = append(d.Uncertain, "spec.metrics is empty here; the API server "+
			"normally fills in cpu at 80% of request, which is what was used")
	}

	for i, spec := range metricSpecs(dc.in.HPA) {
		r := computeMetric(ctx, i, spec)
		if readsCPUReadiness(spec) {
			d.assume(dc.knobs, KnobCPUInitializationPeriod)
			d.assume(dc.knobs, KnobInitialReadinessDelay)
		}
		dc.noteMetric(&r)
		d.Metrics = append(d.Metrics, r)
	}

	c := Combine(d.Metrics, d.Current)
	d.Combination = &c
	return dc.afterCombination(&c)
}

func (dc *decider) noteMetric(r *MetricResult) {
	d := &dc.d
	switch {
	case r.NotObserved:
		d.Uncertain = append(d.Uncertain, fmt.Sprintf("%s was not observed (%s); the "+
			"controller's proposal for it is unknown and it was left out", r.Name, r.Error))
	case !r.Valid:
		d.event(corev1.EventTypeWarning, r.ConditionReason, r.EventMessage)
	}
}

// readsCPUReadiness reports whether a metric sorts pods by cpu readiness rules.
func readsCPUReadiness(spec autoscalingv2.MetricSpec) bool {
	switch {
	case spec.Type == autoscalingv2.ResourceMetricSourceType && spec.Resource != nil:
		return spec.Resource.Name == corev1.ResourceCPU
	case spec.Type == autoscalingv2.ContainerResourceMetricSourceType &&
		spec.ContainerResource != nil:
		return spec.ContainerResource.Name == corev1.ResourceCPU
	}
	return false
}

// afterCombination applies the invalid-metric rule and records the winner.
func (dc *decider) afterCombination(c *Combination) bool {
	d := &dc.d
	if c.Total == 0 {
		d.Desired = d.Current
		d.Uncertain = append(d.Uncertain, "no metric could be evaluated from the data gathered")
		d.step("metrics", d.Current, d.Current, "", "no metric was observed: no prediction")
		return false
	}
	if c.Blocked {
		first := d.Metrics[c.FirstInvalid]
		d.setCondition(autoscalingv2.ScalingActive, corev1.ConditionFalse,
			first.ConditionReason, first.ConditionMessage)
		d.event(corev1.EventTypeWarning, "FailedComputeMetricsReplicas", c.Error)
		d.Desired, d.StatusDesiredKept = d.Current, true
		d.step("metrics", d.Current, d.Current, first.ConditionReason,
			"%s, so the HPA does not scale: %s", c.BlockReason, c.Error)
		return false
	}

	winner := d.Metrics[c.Winner]
	d.setCondition(autoscalingv2.ScalingActive, corev1.ConditionTrue, "ValidMetricFound",
		"the HPA was able to successfully calculate a replica count from "+winner.Description)
	detail := "the highest proposal wins: %s asks for %d"
	if c.Invalid > 0 {
		detail += fmt.Sprintf(" (%d invalid metric(s) do not stop a scale-up)", c.Invalid)
	}
	d.step("metrics", d.Current, c.Proposal, "ValidMetricFound", detail, winner.Name, c.Proposal)
	return true
}
