package metrics

import (
	"errors"
	"fmt"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/labels"
)

// defaultUtilization is the cpu target the API server gives an HPA without metrics.
const defaultUtilization int32 = 80

// decider carries one Decide call's working state.
type decider struct {
	in    Input
	knobs resolved
	d     Decision
	// scaledToZero is the HPA's ScaledToZero=True condition; objExt says whether it has an
	// Object or External metric.
	scaledToZero, objExt bool
}

// Decide reproduces one sync of the HPA controller for in.HPA and returns every step. It
// never fails: what the controller would report as an error is part of the Decision.
func Decide(in Input) Decision {
	dc := newDecider(in)
	if in.ScaleErr != nil {
		dc.scaleFailed(in.ScaleErr)
		return dc.finish()
	}
	if dc.preCheck() {
		return dc.finish()
	}

	pods, ok := dc.selectPods()
	if !ok {
		return dc.finish()
	}
	if !dc.metrics(pods) {
		return dc.finish()
	}
	dc.normalize()
	return dc.finish()
}

func newDecider(in Input) *decider {
	hpa := in.HPA
	dc := &decider{in: in, knobs: in.Settings.resolve()}
	dc.d = Decision{
		HPA:            hpa.Namespace + "/" + hpa.Name,
		Time:           in.Now,
		Current:        in.Scale.SpecReplicas,
		StatusReplicas: in.Scale.StatusReplicas,
		Min:            1,
		Max:            hpa.Spec.MaxReplicas,
		History:        in.History,
		WhatIf:         in.WhatIf,
	}
	if hpa.Spec.MinReplicas != nil {
		dc.d.Min = *hpa.Spec.MinReplicas
	}
	dc.scaledToZero = conditionTrue(hpa, autoscalingv2.ScaledToZero)
	for _, m := range metricSpecs(hpa) {
		if m.Type == autoscalingv2.ObjectMetricSourceType ||
			m.Type == autoscalingv2.ExternalMetricSourceType {
			dc.objExt = true
		}
	}
	dc.d.setCondition(autoscalingv2.AbleToScale, corev1.ConditionTrue, "SucceededGetScale",
		"the HPA controller was able to get the target's current scale")
	return dc
}

// scaleFailed records the controller's stop when the target's scale cannot be read. When it
// is only the caller who could not read it, the controller's outcome is unknown: the decision
// stops there, with the replica counts of the HPA's status, and claims no controller error.
func (dc *decider) scaleFailed(err error) {
	d := &dc.d
	if errors.Is(err, ErrNotObserved) {
		d.Current = dc.in.HPA.Status.CurrentReplicas
		d.StatusReplicas, d.Conditions = d.Current, nil
		d.Stage, d.Desired, d.StatusDesiredKept = StageScale, d.Current, true
		d.step("scale", d.Current, d.Current, "NotObserved",
			"%s: the decision cannot be reproduced without the target's scale", err)
		return
	}
	d.Stage, d.Desired, d.StatusDesiredKept = StageScale, d.Current, true
	d.setCondition(autoscalingv2.AbleToScale, corev1.ConditionFalse, "FailedGetScale",
		"the HPA controller was unable to get the target's current scale: "+err.Error())
	d.event(corev1.EventTypeWarning, "FailedGetScale", err.Error())
	d.step("scale", d.Current, d.Current, "FailedGetScale",
		"the target's scale cannot be read (%s): nothing else happens", err)
}

// metricSpecs returns spec.metrics, or the API server's default (cpu at 80 %) when empty.
func metricSpecs(hpa *autoscalingv2.HorizontalPodAutoscaler) []autoscalingv2.MetricSpec {
	if len(hpa.Spec.Metrics) > 0 {
		return hpa.Spec.Metrics
	}
	target := defaultUtilization
	return []autoscalingv2.MetricSpec{{
		Type: autoscalingv2.ResourceMetricSourceType,
		Resource: &autoscalingv2.ResourceMetricSource{
			Name: corev1.ResourceCPU,
			Target: autoscalingv2.MetricTarget{
				Type: autoscalingv2.UtilizationMetricType, AverageUtilization: &target,
			},
		},
	}}
}

func conditionTrue(hpa *autoscalingv2.HorizontalPodAutoscaler,
	t autoscalingv2.HorizontalPodAutoscalerConditionType) bool {
	for _, c := range hpa.Status.Conditions {
		if c.Type == t {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// preCheck handles the branches where the replica count alone decides: zero replicas, above
// max, below min. It reports whether the sync ends there.
func (dc *decider) preCheck() bool {
	d := &dc.d
	d.Stage = StagePreCheck
	switch {
	case d.Current == 0:
		if (d.Min != 0 && dc.scaledToZero) || (dc.scaledToZero && dc.objExt) {
			return false
		}
		d.PreCheck = "scaling is disabled since the replica count of the target is zero"
		d.setCondition(autoscalingv2.ScalingActive, corev1.ConditionFalse, "ScalingDisabled",
			d.PreCheck)
		d.step("pre-check", 0, 0, "ScalingDisabled", "the target has 0 replicas; "+
			"the HPA does not scale it until someone sets replicas above 0")
	case d.Current > d.Max:
		d.PreCheck = "Current number of replicas above Spec.MaxReplicas"
		dc.rescaleTo(d.Max, d.PreCheck)
		d.step("pre-check", d.Current, d.Max, "", "%d replicas is above maxReplicas %d; "+
			"metrics are not computed", d.Current, d.Max)
	case d.Current < d.Min:
		d.PreCheck = "Current number of replicas below Spec.MinReplicas"
		dc.rescaleTo(d.Min, d.PreCheck)
		d.step("pre-check", d.Current, d.Min, "", "%d replicas is below minReplicas %d; "+
			"metrics are not computed", d.Current, d.Min)
	default:
		return false
	}
	if !d.Rescale {
		d.Desired = d.Current
	}
	return true
}

// rescaleTo records a successful rescale to n with the SuccessfulRescale reason.
func (dc *decider) rescaleTo(n int32, reason string) {
	d := &dc.d
	d.Desired, d.Rescale, d.RescaleReason = n, true, reason
	d.setCondition(autoscalingv2.AbleToScale, corev1.ConditionTrue, "SucceededRescale",
		fmt.Sprintf("the HPA controller was able to update the target scale to %d", n))
	d.event(corev1.EventTypeNormal, "SuccessfulRescale",
		fmt.Sprintf("New size: %d; reason: %s", n, reason))

	status, reason0, msg := corev1.ConditionFalse, "NotScaledToZero",
		"the HPA controller did not scale the workload to zero"
	if d.Current > 0 && n == 0 && d.Min == 0 && dc.objExt {
		status, reason0, msg = corev1.ConditionTrue, "ScaledToZero",
			"the HPA controller scaled the workload to zero"
	}
	d.setCondition(autoscalingv2.ScaledToZero, status, reason0, msg)
}

// selectPods applies the scale's selector and the check for pods shared with another HPA.
func (dc *decider) selectPods() ([]*corev1.Pod, bool) {
	d := &dc.d
	d.Stage = StageSelector
	pods, selector, err := SelectPods(dc.in.Pods, dc.in.Scale.Selector)
	switch {
	case err != nil && dc.in.Scale.Selector == "":
		dc.selectorFailed(err, "SelectorRequired", "InvalidSelector",
			"the HPA target's scale is missing a selector")
		return nil, false
	case err != nil:
		dc.selectorFailed(err, "InvalidSelector", "InvalidSelector", err.Error())
		return nil, false
	}

	if peer := dc.sharingPeer(pods); peer != "" {
		err := fmt.Errorf("pods by selector %v are controlled by more than one HPA (e.g. %v)",
			dc.in.Scale.Selector, []string{d.HPA, peer})
		dc.selectorFailed(err, "AmbiguousSelector", "AmbiguousSelector", err.Error())
		return nil, false
	}
	if narrowing, ok := dc.in.Source.(interface{ WithSelector(labels.Selector) Source }); ok {
		dc.in.Source = narrowing.WithSelector(selector)
	}
	return pods, true
}

// selectorFailed records a selector failure: the controller writes ScalingActive=False,
// emits the selector event and FailedComputeMetricsReplicas, and does not scale.
func (dc *decider) selectorFailed(err error, eventReason, reason, message string) {
	d := &dc.d
	d.SelectorError = err.Error()
	d.Desired, d.StatusDesiredKept = d.Current, true
	d.setCondition(autoscalingv2.ScalingActive, corev1.ConditionFalse, reason, message)
	d.event(corev1.EventTypeWarning, eventReason, err.Error())
	d.event(corev1.EventTypeWarning, "FailedComputeMetricsReplicas", err.Error())
	d.step("selector", d.Current, d.Current, reason, "%s: nothing is computed", err)
}

// sharingPeer names a peer HPA whose selector matches one of pods, or "".
func (dc *decider) sharingPeer(pods []*corev1.Pod) string {
	for _, peer := range dc.in.Peers {
		if peer.Name == dc.in.HPA.Name || peer.Selector == "" {
			continue
		}
		sel, err := labels.Parse(peer.Selector)
		if err != nil {
			continue
		}
		for _, pod := range pods {
			if sel.Matches(labels.Set(pod.Labels)) {
				return dc.in.HPA.Namespace + "/" + peer.Name
			}
		}
	}
	return ""
}

// tolerances returns the HPA's tolerances and notes the flag default when it is used.
func (dc *decider) tolerances() Tolerances {
	t := Tolerances{Down: dc.knobs.Tolerance, Up: dc.knobs.Tolerance}
	downSet, upSet := false, false
	if b := dc.in.HPA.Spec.Behavior; b != nil {
		if b.ScaleDown != nil && b.ScaleDown.Tolerance != nil {
			t.Down, downSet = b.ScaleDown.Tolerance.AsApproximateFloat64(), true
		}
		if b.ScaleUp != nil && b.ScaleUp.Tolerance != nil {
			t.Up, upSet = b.ScaleUp.Tolerance.AsApproximateFloat64(), true
		}
	}
	if !downSet || !upSet {
		dc.d.assume(dc.knobs, KnobTolerance)
	}
	return t
}

// quantity formats milli-units for messages.
func quantity(milli int64) string {
	return resource.NewMilliQuantity(milli, resource.DecimalSI).String()
}
