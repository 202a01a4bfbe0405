package metrics

import (
	"fmt"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
)

// normalize runs stabilization and the limits, then decides whether to rescale.
func (dc *decider) normalize() {
	d := &dc.d
	d.Stage = StageNormalized
	raw, reason := dc.rawAndReason()
	behavior := dc.in.HPA.Spec.Behavior
	if downWindowDefaulted(behavior) {
		d.assume(dc.knobs, KnobDownscaleStabilization)
	}

	n := normalize(normalizeInput{
		raw: raw, current: d.Current, min: d.Min, max: d.Max, behavior: behavior,
		history: dc.in.History, downscaleWindow: dc.knobs.DownscaleStabilization,
		now: dc.in.Now,
	})
	d.Normalization = &n
	dc.normalizationSteps(&n)

	final := n.Final
	if d.Current == 0 && d.Min != 0 && dc.scaledToZero && final < d.Min {
		d.step("scale from zero", final, d.Min, "", "scaling back from zero goes to "+
			"minReplicas at least")
		final = d.Min
		if reason == "" {
			reason = "Current number of replicas below Spec.MinReplicas"
		}
	}
	dc.normalizationConditions(&n)
	if final != d.Current {
		dc.rescaleTo(final, reason)
		return
	}
	d.Desired = d.Current
}

// rawAndReason returns the recommendation normalization starts from and the reason a rescale
// would give, chosen before any clamp.
func (dc *decider) rawAndReason() (int32, string) {
	d := &dc.d
	c := d.Combination
	var raw int32
	metric := ""
	if c.Proposal > 0 {
		raw, metric = c.Proposal, d.Metrics[c.Winner].Description
	}
	switch {
	case raw > d.Current:
		return raw, metric + " above target"
	case raw < d.Current:
		return raw, "All metrics below target"
	}
	return raw, ""
}

func (dc *decider) normalizationConditions(n *Normalization) {
	d := &dc.d
	d.setCondition(autoscalingv2.AbleToScale, corev1.ConditionTrue, n.Stabilization.Reason,
		stabilizedMessage(n.Stabilization.Reason))
	status := corev1.ConditionFalse
	if n.Limits.Limited {
		status = corev1.ConditionTrue
	}
	d.setCondition(autoscalingv2.ScalingLimited, status, n.Limits.Reason, n.Limits.Message)
}

func stabilizedMessage(reason string) string {
	switch reason {
	case ReasonScaleDownStabilized:
		return "recent recommendations were higher than current one, applying the highest " +
			"recent recommendation"
	case ReasonScaleUpStabilized:
		return "recent recommendations were lower than current one, applying the lowest " +
			"recent recommendation"
	}
	return "recommended size matches current size"
}

// normalizationSteps records stabilization and limits as steps of the chain.
func (dc *decider) normalizationSteps(n *Normalization) {
	d := &dc.d
	st := &n.Stabilization
	if n.Behavior {
		d.step("stabilization", n.Raw, st.Result, st.Reason, "up window %s: lowest %d; "+
			"down window %s: highest %d; current %d kept between them",
			st.UpWindow, st.UpRecommendation, st.DownWindow, st.DownRecommendation, d.Current)
	} else {
		d.step("stabilization", n.Raw, st.Result, st.Reason, "down window %s: highest %d "+
			"(without behavior only scale-down is stabilized)", st.DownWindow,
			st.DownRecommendation)
	}

	l := &n.Limits
	detail := fmt.Sprintf("allowed range %d..%d", l.Low, l.High)
	switch {
	case n.Behavior && l.Direction != "none":
		detail += fmt.Sprintf("; %s policies (select %s) allow %d", l.Direction,
			l.SelectPolicy, l.RateLimit)
	case !n.Behavior:
		detail += fmt.Sprintf("; scale-up cap max(2 × %d, 4) = %d", d.Current, l.RateLimit)
	}
	d.step("limits", st.Result, l.Result, l.Reason, "%s", detail)
}

// finish adds what every decision carries: timing, history gaps and the sync assumption.
func (dc *decider) finish() Decision {
	d := &dc.d
	if d.Normalization != nil {
		dc.nextScales()
	}
	if !dc.in.History.Complete && d.Normalization != nil {
		for _, gap := range dc.in.History.Gaps {
			d.Uncertain = append(d.Uncertain, "history: "+gap)
		}
	}
	return dc.d
}
