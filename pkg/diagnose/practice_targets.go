package diagnose

import (
	"fmt"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// targetsCheck (HPA-CFG-004): a resource target so high that the scale-up threshold (target
// times one plus the tolerance) reaches the pods' requests: the HPA adds pods only once they
// already use more than they asked for, which is late for CPU and may be never for memory.
func targetsCheck() Check {
	return practiceCheck("HPA-CFG-004", "resource targets leave room to react",
		[]string{snapshot.ResHPAs, snapshot.ResDeployments, snapshot.ResStatefulSets}, false,
		judgeTargets)
}

func judgeTargets(_ *snapshot.Snapshot, hpa *autoscalingv2.HorizontalPodAutoscaler,
	target *snapshot.Target) []Finding {
	tol, assumed := upTolerance(hpa)
	var out []Finding
	for _, m := range hpa.Spec.Metrics {
		name, pct, what, ok := targetPercent(m, target)
		if !ok {
			continue
		}
		threshold := pct * (1 + tol)
		if threshold < 100 {
			continue
		}
		out = append(out, Finding{Severity: Warning, Subject: hpaSubject(hpa),
			Message: fmt.Sprintf("the %s target is so high that the HPA adds pods only once "+
				"they use more %s than they request", name, name),
			Evidence: []string{what, fmt.Sprintf("scale-up from %.0f%% of the request (%s)",
				threshold, describeTolerance(tol, assumed))},
			Remediation: fmt.Sprintf("lower the %s target so that target x (1 + tolerance) "+
				"stays below 100%% of the request, e.g. averageUtilization %d",
				name, suggestedTarget(name))})
	}
	return out
}

// targetPercent expresses a Resource metric's target as a percentage of the pod's request:
// Utilization targets directly, AverageValue targets against the template's requests.
func targetPercent(m autoscalingv2.MetricSpec,
	target *snapshot.Target) (corev1.ResourceName, float64, string, bool) {
	if m.Type != autoscalingv2.ResourceMetricSourceType || m.Resource == nil {
		return "", 0, "", false
	}
	name, t := m.Resource.Name, m.Resource.Target
	if t.Type == autoscalingv2.UtilizationMetricType && t.AverageUtilization != nil {
		pct := float64(*t.AverageUtilization)
		return name, pct, fmt.Sprintf("%s target averageUtilization %d%%", name,
			*t.AverageUtilization), true
	}
	if t.Type != autoscalingv2.AverageValueMetricType || t.AverageValue == nil ||
		target.Template == nil {
		return "", 0, "", false
	}
	request, ok := podTotal(&target.Template.Spec, name, false)
	if !ok || request.IsZero() {
		return "", 0, "", false
	}
	pct := float64(t.AverageValue.MilliValue()) * 100 / float64(request.MilliValue())
	return name, pct, fmt.Sprintf("%s target averageValue %s per pod = %.0f%% of the pod's "+
		"request %s", name, t.AverageValue.String(), pct, request.String()), true
}

func suggestedTarget(name corev1.ResourceName) int {
	if name == corev1.ResourceMemory {
		return 80
	}
	return 70
}
