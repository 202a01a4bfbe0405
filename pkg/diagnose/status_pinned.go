package diagnose

import (
	"fmt"
	"math"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

const idPinnedAtMax = "HPA-STA-005"

// defaultTolerance is the controller's dead band (--horizontal-pod-autoscaler-tolerance),
// assumed unless the HPA sets its own.
const defaultTolerance = 0.1

func pinnedAtMaxCheck() Check {
	return Check{ID: idPinnedAtMax, Area: AreaStatus,
		Title:       "the HPA is not held at maxReplicas",
		ExplainedBy: []string{idTargetExists, idSharedPods},
		RunHPA:      checkPinnedAtMax}
}

// proposal is what one metric asks for, computed from status.currentMetrics the way the
// controller does: ceil(current replicas x current / target), unchanged within tolerance.
type proposal struct {
	metric   string
	current  string
	target   string
	replicas int32
}

// checkPinnedAtMax explains an HPA at maxReplicas from its own status: which metric holds it
// there, and what every metric proposes. All metrics above target at max means too little
// capacity; one metric above means that metric is the reason.
func checkPinnedAtMax(cc CheckContext, _ *snapshot.Snapshot,
	hpa *autoscalingv2.HorizontalPodAutoscaler) []Finding {
	status := hpa.Status
	if status.CurrentReplicas < hpa.Spec.MaxReplicas || len(status.CurrentMetrics) == 0 {
		return nil
	}
	proposals := proposalsOf(hpa)
	var over []proposal
	for _, p := range proposals {
		if p.replicas > hpa.Spec.MaxReplicas {
			over = append(over, p)
		}
	}
	if len(over) == 0 {
		return nil
	}

	f := Finding{ID: idPinnedAtMax, Severity: Warning, Subject: hpaSubject(hpa),
		Evidence: pinnedEvidence(cc, hpa, proposals)}
	if len(over) == len(proposals) {
		f.Severity = Error
		f.Message = fmt.Sprintf("every metric is above target at maxReplicas (%d): the "+
			"service is under-provisioned", hpa.Spec.MaxReplicas)
		f.Remediation = "raise maxReplicas (check that the nodes can hold the pods), or raise " +
			"the per-pod requests if each pod is too small, or both"
		return []Finding{f}
	}
	f.Message = fmt.Sprintf("held at maxReplicas (%d) by %s at %s against a %s target, while "+
		"the other metrics ask for fewer", hpa.Spec.MaxReplicas, over[0].metric, over[0].current,
		over[0].target)
	f.Remediation = fmt.Sprintf("decide whether %s is a useful load signal for this service; "+
		"if its steady use is simply above the target, raise its request to what the pods "+
		"really hold, or raise that target or remove the metric and let the others drive "+
		"scaling; raising maxReplicas alone only pins the HPA higher", over[0].metric)
	return []Finding{f}
}

func pinnedEvidence(cc CheckContext, hpa *autoscalingv2.HorizontalPodAutoscaler,
	proposals []proposal) []string {
	var out []string
	for _, p := range proposals {
		line := fmt.Sprintf("%s at %s, target %s: proposes %d replicas", p.metric, p.current,
			p.target, p.replicas)
		if p.replicas > hpa.Spec.MaxReplicas {
			line += fmt.Sprintf(", capped at maxReplicas %d", hpa.Spec.MaxReplicas)
		}
		out = append(out, line)
	}
	out = append(out, fmt.Sprintf("currentReplicas %d = maxReplicas %d",
		hpa.Status.CurrentReplicas, hpa.Spec.MaxReplicas))
	if c, ok := conditionWith(hpa, autoscalingv2.ScalingLimited, corev1.ConditionTrue); ok {
		out = append(out, describeCondition(c)+" (for "+
			age(cc.Now.Sub(c.LastTransitionTime.Time))+")")
	}
	return out
}

// proposalsOf pairs each spec metric with its status entry and computes its proposal.
func proposalsOf(hpa *autoscalingv2.HorizontalPodAutoscaler) []proposal {
	var out []proposal
	specs := metricsOf(hpa)
	for i, st := range hpa.Status.CurrentMetrics {
		if i >= len(specs) {
			break
		}
		if p, ok := propose(hpa, specs[i], st); ok {
			out = append(out, p)
		}
	}
	return out
}

func propose(hpa *autoscalingv2.HorizontalPodAutoscaler, spec autoscalingv2.MetricSpec,
	st autoscalingv2.MetricStatus) (proposal, bool) {
	name, target, cur, ok := metricValues(spec, st)
	if !ok {
		return proposal{}, false
	}
	p := proposal{metric: name, replicas: hpa.Status.CurrentReplicas}
	var ratio float64
	switch {
	case target.AverageUtilization != nil && cur.AverageUtilization != nil:
		ratio = float64(*cur.AverageUtilization) / float64(*target.AverageUtilization)
		p.current = fmt.Sprintf("%d%%", *cur.AverageUtilization)
		p.target = fmt.Sprintf("%d%%", *target.AverageUtilization)
	case target.AverageValue != nil && cur.AverageValue != nil:
		ratio = float64(cur.AverageValue.MilliValue()) / float64(target.AverageValue.MilliValue())
		p.current, p.target = cur.AverageValue.String(), target.AverageValue.String()
	default:
		return proposal{}, false
	}
	if math.Abs(ratio-1) > toleranceOf(hpa, ratio) {
		p.replicas = int32(math.Ceil(ratio * float64(hpa.Status.CurrentReplicas)))
	}
	return p, true
}

// metricValues returns a metric's name, its target and its current value from the status.
func metricValues(spec autoscalingv2.MetricSpec, st autoscalingv2.MetricStatus) (string,
	autoscalingv2.MetricTarget, autoscalingv2.MetricValueStatus, bool) {
	switch {
	case spec.Resource != nil && st.Resource != nil:
		return string(spec.Resource.Name), spec.Resource.Target, st.Resource.Current, true
	case spec.ContainerResource != nil && st.ContainerResource != nil:
		return string(spec.ContainerResource.Name), spec.ContainerResource.Target,
			st.ContainerResource.Current, true
	case spec.Pods != nil && st.Pods != nil:
		return spec.Pods.Metric.Name, spec.Pods.Target, st.Pods.Current, true
	}
	return "", autoscalingv2.MetricTarget{}, autoscalingv2.MetricValueStatus{}, false
}

// toleranceOf is the per-direction tolerance the HPA sets, or the controller default.
func toleranceOf(hpa *autoscalingv2.HorizontalPodAutoscaler, ratio float64) float64 {
	b := hpa.Spec.Behavior
	if b == nil {
		return defaultTolerance
	}
	rules := b.ScaleDown
	if ratio > 1 {
		rules = b.ScaleUp
	}
	if rules != nil && rules.Tolerance != nil {
		return rules.Tolerance.AsApproximateFloat64()
	}
	return defaultTolerance
}
