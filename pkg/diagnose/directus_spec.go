package diagnose

import (
	"fmt"
	"sort"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
)

// The product's HPA for Directus, which the deploy verb applies.
const (
	productMin          = 2
	productMax          = 10
	productCPU          = 70
	productMemory       = 80
	productUpWindow     = 300
	productDownWindow   = 600
	productUpPods       = 2
	productUpPeriod     = 60
	productDownPods     = 1
	productDownPeriod   = 120
	productSpecDocument = "min 2, max 10, cpu 70%, memory 80%, scale-up window 300 s with Pods 2 " +
		"per 60 s, scale-down window 600 s with Pods 1 per 120 s"
)

// specDriftCheck (DX13): an HPA on Directus that differs from the product's, to explain
// behaviour that differs from the documented one. It is advice, not a fault.
func specDriftCheck(c *viewCache) Check {
	return directusCheck(c, "DX13", "the HPA matches the product's settings", envNeeds(),
		func(*view) directusJudge { return judgeSpecDrift })
}

func judgeSpecDrift(w *workload, _ *envView) []Finding {
	var out []Finding
	for _, hpa := range w.HPAs {
		drift := hpaDrift(hpa)
		if len(drift) == 0 {
			continue
		}
		out = append(out, Finding{Severity: Info, Subject: hpaSubject(hpa),
			Message:  "the HPA differs from the product's settings (" + productSpecDocument + ")",
			Evidence: drift,
			Remediation: "nothing to do if the difference is deliberate; " +
				"`kubectl directus deploy` applies the product's HPA"})
	}
	return out
}

func hpaDrift(hpa *autoscalingv2.HorizontalPodAutoscaler) []string {
	var out []string
	if low := hpaMin(hpa); low != productMin {
		out = append(out, fmt.Sprintf("minReplicas %d (product %d)", low, productMin))
	}
	if hpa.Spec.MaxReplicas != productMax {
		out = append(out, fmt.Sprintf("maxReplicas %d (product %d)", hpa.Spec.MaxReplicas,
			productMax))
	}
	targets := utilizationTargets(hpa)
	for name, want := range map[corev1.ResourceName]int32{corev1.ResourceCPU: productCPU,
		corev1.ResourceMemory: productMemory} {
		if got, ok := targets[name]; !ok {
			out = append(out, fmt.Sprintf("no %s utilization target (product %d%%)", name, want))
		} else if got != want {
			out = append(out, fmt.Sprintf("%s target %d%% (product %d%%)", name, got, want))
		}
	}
	out = append(out, behaviorDrift(hpa.Spec.Behavior)...)
	sort.Strings(out)
	return out
}

func behaviorDrift(b *autoscalingv2.HorizontalPodAutoscalerBehavior) []string {
	if b == nil {
		return []string{"no behavior (product: windows and Pods policies)"}
	}
	var out []string
	out = append(out, rulesDrift("scaleUp", b.ScaleUp, productUpWindow, productUpPods,
		productUpPeriod)...)
	out = append(out, rulesDrift("scaleDown", b.ScaleDown, productDownWindow, productDownPods,
		productDownPeriod)...)
	return out
}

func rulesDrift(dir string, r *autoscalingv2.HPAScalingRules, window, pods, period int32) []string {
	if r == nil {
		return []string{fmt.Sprintf("behavior.%s unset (product window %d s, Pods %d per %d s)",
			dir, window, pods, period)}
	}
	var out []string
	if r.StabilizationWindowSeconds == nil || *r.StabilizationWindowSeconds != window {
		out = append(out, fmt.Sprintf("behavior.%s.stabilizationWindowSeconds %s (product %d)",
			dir, int32Text(r.StabilizationWindowSeconds), window))
	}
	if len(r.Policies) != 1 || r.Policies[0].Type != autoscalingv2.PodsScalingPolicy ||
		r.Policies[0].Value != pods || r.Policies[0].PeriodSeconds != period {
		out = append(out, fmt.Sprintf("behavior.%s.policies %s (product Pods %d per %d s)",
			dir, policiesText(r.Policies), pods, period))
	}
	return out
}

func int32Text(v *int32) string {
	if v == nil {
		return "unset"
	}
	return fmt.Sprint(*v)
}

func policiesText(list []autoscalingv2.HPAScalingPolicy) string {
	if len(list) == 0 {
		return "unset"
	}
	out := ""
	for i, p := range list {
		if i > 0 {
			out += ", "
		}
		out += fmt.Sprintf("%s %d per %d s", p.Type, p.Value, p.PeriodSeconds)
	}
	return out
}
