package diagnose

import (
	"fmt"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
)

// memoryCheck (DX14): Node's heap rarely shrinks, so memory per pod barely falls when pods
// are added. At or above target x (1 - tolerance) the memory metric never proposes a
// scale-down, and the replica count stays high after the load is gone.
func memoryCheck(c *viewCache) Check {
	return directusCheck(c, "DX14", "the memory metric lets Directus scale down", envNeeds(),
		func(*view) directusJudge { return judgeMemory })
}

func judgeMemory(w *workload, _ *envView) []Finding {
	var out []Finding
	for _, hpa := range w.HPAs {
		if f, ok := memoryBlocksScaleDown(w, hpa); ok {
			out = append(out, f)
		}
	}
	return out
}

func memoryBlocksScaleDown(w *workload,
	hpa *autoscalingv2.HorizontalPodAutoscaler) (Finding, bool) {
	if hpa.Status.CurrentReplicas >= hpa.Spec.MaxReplicas {
		// Already held at the maximum: the HPA status checks report that, with the memory
		// metric as the cause. This check warns before it gets there.
		return Finding{}, false
	}
	targets := utilizationTargets(hpa)
	memTarget, ok := targets[corev1.ResourceMemory]
	memNow, okNow := currentUtilization(hpa, corev1.ResourceMemory)
	if !ok || !okNow {
		return Finding{}, false
	}
	floor := float64(memTarget) * (1 - defaultTolerance)
	if float64(memNow) < floor {
		return Finding{}, false
	}
	cpuTarget, hasCPU := targets[corev1.ResourceCPU]
	cpuNow, okCPU := currentUtilization(hpa, corev1.ResourceCPU)
	if hasCPU && (!okCPU || float64(cpuNow) >= float64(cpuTarget)*(1-defaultTolerance)) {
		return Finding{}, false
	}

	evidence := []string{fmt.Sprintf("HPA %s: memory at %d%% of requests, target %d%%; a "+
		"scale-down needs below %.0f%% (tolerance 0.1, controller default, assumed)", hpa.Name,
		memNow, memTarget, floor)}
	if hasCPU {
		evidence = append(evidence, fmt.Sprintf("cpu at %d%%, target %d%%", cpuNow, cpuTarget))
	}
	return w.finding("DX14", Warning, "memory, not load, holds the replica count: idle "+
		"Directus pods use too much of their memory request for the HPA ever to scale down",
		evidence, "raise the memory request so idle usage sits well below the threshold, or "+
			"raise the memory target, or scale on cpu alone"), true
}

// currentUtilization reads the utilization the controller last reported for a resource.
func currentUtilization(hpa *autoscalingv2.HorizontalPodAutoscaler,
	name corev1.ResourceName) (int32, bool) {
	for _, m := range hpa.Status.CurrentMetrics {
		if m.Type == autoscalingv2.ResourceMetricSourceType && m.Resource != nil &&
			m.Resource.Name == name && m.Resource.Current.AverageUtilization != nil {
			return *m.Resource.Current.AverageUtilization, true
		}
	}
	return 0, false
}
