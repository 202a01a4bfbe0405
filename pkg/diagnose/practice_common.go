package diagnose

import (
	"fmt"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// hpaJudge judges one HPA with its resolved scale target.
type hpaJudge func(snap *snapshot.Snapshot, hpa *autoscalingv2.HorizontalPodAutoscaler,
	target *snapshot.Target) []Finding

// practiceCheck is a per-HPA check. Checks that judge the pod template skip HPAs whose target
// is missing or has no template: the scale target checks report those.
func practiceCheck(id, title string, needs []string, needsTemplate bool, judge hpaJudge) Check {
	return Check{ID: id, Area: AreaPractice, Title: title, Needs: needs,
		RunHPA: func(_ CheckContext, snap *snapshot.Snapshot,
			hpa *autoscalingv2.HorizontalPodAutoscaler) []Finding {
			target := snap.TargetOf(hpa)
			if needsTemplate && (!target.Found || target.Template == nil) {
				return nil
			}
			return judge(snap, hpa, target)
		}}
}

func targetSubject(t *snapshot.Target) Subject {
	return Subject{Kind: t.Key.Kind, Namespace: t.Key.Namespace, Name: t.Key.Name}
}

// upTolerance is the tolerance above 1.0 the controller applies to this HPA, and whether it
// is the assumed controller default.
func upTolerance(hpa *autoscalingv2.HorizontalPodAutoscaler) (float64, bool) {
	b := hpa.Spec.Behavior
	if b != nil && b.ScaleUp != nil && b.ScaleUp.Tolerance != nil {
		return b.ScaleUp.Tolerance.AsApproximateFloat64(), false
	}
	return defaultTolerance, true
}

func describeTolerance(tol float64, assumed bool) string {
	if assumed {
		return fmt.Sprintf("tolerance %.2g (controller default, assumed)", tol)
	}
	return fmt.Sprintf("tolerance %.2g (behavior.scaleUp.tolerance)", tol)
}

// podTotal sums a resource's requests (or limits) over the summed containers; ok is false
// when one of them does not set it.
func podTotal(spec *corev1.PodSpec, name corev1.ResourceName,
	limits bool) (resource.Quantity, bool) {
	var total resource.Quantity
	for _, c := range summedContainers(spec) {
		list := c.Resources.Requests
		if limits {
			list = c.Resources.Limits
		}
		q, ok := list[name]
		if !ok {
			return resource.Quantity{}, false
		}
		total.Add(q)
	}
	return total, true
}

// utilizationTargets returns the Resource metrics with a Utilization target, by resource.
func utilizationTargets(hpa *autoscalingv2.HorizontalPodAutoscaler) map[corev1.ResourceName]int32 {
	out := map[corev1.ResourceName]int32{}
	for _, m := range hpa.Spec.Metrics {
		if m.Type != autoscalingv2.ResourceMetricSourceType || m.Resource == nil {
			continue
		}
		t := m.Resource.Target
		if t.Type == autoscalingv2.UtilizationMetricType && t.AverageUtilization != nil {
			out[m.Resource.Name] = *t.AverageUtilization
		}
	}
	return out
}

// isDirectusPodContainer reports whether c is the Directus container of the pod, which the
// DX checks judge with Directus' own rules.
func isDirectusPodContainer(spec *corev1.PodSpec, c *corev1.Container) bool {
	return directusContainerOf(spec) == c
}
