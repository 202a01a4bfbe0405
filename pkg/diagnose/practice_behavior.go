package diagnose

import (
	"fmt"
	"strings"

	autoscalingv2 "k8s.io/api/autoscaling/v2"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// Thresholds of the behavior check.
const (
	// minDownWindow: a shorter scale-down window lets replicas follow every dip of load.
	minDownWindow = 60
	// maxUpWindow: a longer scale-up window keeps the HPA from reacting to a sustained rise.
	maxUpWindow = 600
	// fastPeriod: a policy period this short or shorter counts as "at once".
	fastPeriod = 60
)

// behaviorCheck (HPA-CFG-005): stabilization windows and gradual policies keep the replica
// count from following every swing of the load; a disabled direction never scales.
func behaviorCheck() Check {
	return practiceCheck("HPA-CFG-005", "behavior has stabilization windows and gradual policies",
		[]string{snapshot.ResHPAs}, false, judgeBehavior)
}

const behaviorFix = "set spec.behavior, e.g. scaleUp {stabilizationWindowSeconds: 60, " +
	"policies: [{type: Pods, value: 2, periodSeconds: 60}]} and scaleDown " +
	"{stabilizationWindowSeconds: 300, policies: [{type: Pods, value: 1, periodSeconds: 120}]}"

func judgeBehavior(_ *snapshot.Snapshot, hpa *autoscalingv2.HorizontalPodAutoscaler,
	_ *snapshot.Target) []Finding {
	b := hpa.Spec.Behavior
	if b == nil {
		return []Finding{behaviorFinding(hpa, Info, "no behavior: the controller scales down "+
			"after its default 300 s window, all at once, and up without a window",
			"spec.behavior unset")}
	}

	var out []Finding
	out = append(out, judgeScaleUp(hpa, b.ScaleUp)...)
	out = append(out, judgeScaleDown(hpa, b.ScaleDown)...)
	return out
}

func judgeScaleUp(hpa *autoscalingv2.HorizontalPodAutoscaler,
	up *autoscalingv2.HPAScalingRules) []Finding {
	if up == nil {
		return nil
	}
	if disabled(up) {
		return []Finding{behaviorFinding(hpa, Warning, "scale-up is disabled: the HPA never "+
			"adds pods, whatever the load", "behavior.scaleUp.selectPolicy Disabled")}
	}
	if w := up.StabilizationWindowSeconds; w != nil && *w > maxUpWindow {
		return []Finding{behaviorFinding(hpa, Info, "the scale-up window is long: load must stay "+
			"high for the whole window before the HPA adds a pod",
			fmt.Sprintf("behavior.scaleUp.stabilizationWindowSeconds %d", *w))}
	}
	return nil
}

func judgeScaleDown(hpa *autoscalingv2.HorizontalPodAutoscaler,
	down *autoscalingv2.HPAScalingRules) []Finding {
	if down == nil {
		return nil
	}
	if disabled(down) {
		return []Finding{behaviorFinding(hpa, Info, "scale-down is disabled: the HPA never "+
			"removes pods once it added them", "behavior.scaleDown.selectPolicy Disabled")}
	}
	var out []Finding
	// Advice only: when the replicas do flap, the flapping check reports it with this window
	// as the setting that allows it.
	if w := down.StabilizationWindowSeconds; w != nil && *w < minDownWindow {
		out = append(out, behaviorFinding(hpa, Info, "the scale-down window is short: "+
			"replicas may follow every dip of the load and flap",
			fmt.Sprintf("behavior.scaleDown.stabilizationWindowSeconds %d", *w)))
	}
	if fast, what := abruptScaleDown(hpa, down); fast {
		out = append(out, behaviorFinding(hpa, Info, "scale-down is not gradual: half the "+
			"pods or more can go within a minute", what))
	}
	return out
}

// abruptScaleDown reports whether a scale-down policy lets half of maxReplicas go within
// fastPeriod. No policies means the API default, 100 % per 15 s.
func abruptScaleDown(hpa *autoscalingv2.HorizontalPodAutoscaler,
	down *autoscalingv2.HPAScalingRules) (bool, string) {
	if len(down.Policies) == 0 {
		return true, "behavior.scaleDown.policies unset (API default Percent 100 per 15 s)"
	}
	// With selectPolicy Min the most restrictive policy applies, so all must be abrupt;
	// otherwise (Max, the default) one abrupt policy is enough.
	all := down.SelectPolicy != nil && *down.SelectPolicy == autoscalingv2.MinChangePolicySelect
	var abrupt []string
	for _, p := range down.Policies {
		if isAbrupt(p, hpa.Spec.MaxReplicas) {
			abrupt = append(abrupt, fmt.Sprintf("behavior.scaleDown policy %s %d per %d s",
				p.Type, p.Value, p.PeriodSeconds))
		}
	}
	if len(abrupt) == 0 || (all && len(abrupt) < len(down.Policies)) {
		return false, ""
	}
	return true, strings.Join(abrupt, "; ")
}

// isAbrupt reports whether a policy lets half of maxReplicas go within fastPeriod.
func isAbrupt(p autoscalingv2.HPAScalingPolicy, maxReplicas int32) bool {
	if p.PeriodSeconds > fastPeriod {
		return false
	}
	half := (maxReplicas + 1) / 2
	return (p.Type == autoscalingv2.PercentScalingPolicy && p.Value >= 50) ||
		(p.Type == autoscalingv2.PodsScalingPolicy && p.Value >= half)
}

func disabled(r *autoscalingv2.HPAScalingRules) bool {
	return r.SelectPolicy != nil && *r.SelectPolicy == autoscalingv2.DisabledPolicySelect
}

func behaviorFinding(hpa *autoscalingv2.HorizontalPodAutoscaler, sev Severity,
	msg, evidence string) Finding {
	return Finding{Severity: sev, Subject: hpaSubject(hpa), Message: msg,
		Evidence: []string{evidence}, Remediation: behaviorFix}
}
