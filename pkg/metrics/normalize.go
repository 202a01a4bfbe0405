package metrics

import (
	"math"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
)

// The ScalingLimited and AbleToScale reasons normalization writes.
const (
	ReasonDesiredWithinRange  = "DesiredWithinRange"
	ReasonTooManyReplicas     = "TooManyReplicas"
	ReasonTooFewReplicas      = "TooFewReplicas"
	ReasonScaleUpLimit        = "ScaleUpLimit"
	ReasonScaleDownLimit      = "ScaleDownLimit"
	ReasonReadyForNewScale    = "ReadyForNewScale"
	ReasonScaleDownStabilized = "ScaleDownStabilized"
	ReasonScaleUpStabilized   = "ScaleUpStabilized"
)

// Stabilization records the window step.
type Stabilization struct {
	// UpWindow is zero on the path without behavior, where only scale-down is stabilized.
	UpWindow   Duration `json:"upWindow"`
	DownWindow Duration `json:"downWindow"`
	// UpRecommendation is the lowest recommendation in the up window (raw included);
	// DownRecommendation the highest in the down window.
	UpRecommendation   int32 `json:"upRecommendation"`
	DownRecommendation int32 `json:"downRecommendation"`
	// Considered counts the recorded recommendations inside either window.
	Considered int   `json:"considered"`
	Result     int32 `json:"result"`
	// Reason is the AbleToScale reason this step writes.
	Reason string `json:"reason"`
}

// PolicyLimit is one rate policy evaluated.
type PolicyLimit struct {
	Type          autoscalingv2.HPAScalingPolicyType `json:"type"`
	Value         int32                              `json:"value"`
	PeriodSeconds int32                              `json:"periodSeconds"`
	// Added and Removed are the replicas changed by rescales inside the period; Start is
	// current − added + removed, the count the period started from.
	Added   int32 `json:"added"`
	Removed int32 `json:"removed"`
	Start   int32 `json:"start"`
	Limit   int32 `json:"limit"`
}

// Limits records the clamp step: rate policies (behavior path), the scale-up cap (path
// without behavior) and min/max.
type Limits struct {
	// Direction is "up", "down" or "none" (the stabilized count equals current).
	Direction    string                            `json:"direction"`
	SelectPolicy autoscalingv2.ScalingPolicySelect `json:"selectPolicy,omitempty"`
	Policies     []PolicyLimit                     `json:"policies,omitempty"`
	// RateLimit is the count the policies (or the 2×/4 cap) allow.
	RateLimit int32 `json:"rateLimit"`
	// Low and High bound the result.
	Low    int32 `json:"low"`
	High   int32 `json:"high"`
	Result int32 `json:"result"`
	// Reason and Message are the ScalingLimited condition; Limited its status.
	Reason  string `json:"reason"`
	Message string `json:"message"`
	Limited bool   `json:"limited"`
}

// Normalization is everything between the combined proposal and the final count.
type Normalization struct {
	Behavior      bool          `json:"behavior"`
	Raw           int32         `json:"raw"`
	Stabilization Stabilization `json:"stabilization"`
	Limits        Limits        `json:"limits"`
	Final         int32         `json:"final"`
}

// normalizeInput is what both normalization paths need.
type normalizeInput struct {
	raw, current, min, max int32
	behavior               *autoscalingv2.HorizontalPodAutoscalerBehavior
	history                History
	downscaleWindow        time.Duration
	now                    time.Time
}

func limitedMessage(reason string) string {
	switch reason {
	case ReasonTooManyReplicas:
		return "the desired replica count is more than the maximum replica count"
	case ReasonTooFewReplicas:
		return "the desired replica count is less than the minimum replica count"
	case ReasonScaleUpLimit:
		return "the desired replica count is increasing faster than the maximum scale rate"
	case ReasonScaleDownLimit:
		return "the desired replica count is decreasing faster than the maximum scale rate"
	}
	return "the desired count is within the acceptable range"
}

// normalize runs the path the HPA takes: with or without spec.behavior.
func normalize(in normalizeInput) Normalization {
	if in.behavior == nil {
		return normalizeWithoutBehavior(in)
	}
	return normalizeWithBehavior(in)
}

// normalizeWithoutBehavior keeps the highest recommendation of the downscale window, then
// clamps to min and to max or the scale-up cap max(2 × current, 4).
func normalizeWithoutBehavior(in normalizeInput) Normalization {
	n := Normalization{Raw: in.raw}
	st := &n.Stabilization
	st.DownWindow, st.DownRecommendation = Duration(in.downscaleWindow), in.raw
	cutoff := in.now.Add(-in.downscaleWindow)
	for _, rec := range in.history.Recommendations {
		if !rec.Time.Before(cutoff) {
			st.Considered++
			st.DownRecommendation = max(st.DownRecommendation, rec.Replicas)
		}
	}
	st.UpRecommendation, st.Result = in.raw, st.DownRecommendation
	st.Reason = ReasonReadyForNewScale
	if st.Result != in.raw {
		st.Reason = ReasonScaleDownStabilized
	}

	n.Limits = clampWithoutBehavior(st.Result, in.current, in.min, in.max)
	n.Final = n.Limits.Result
	return n
}

func clampWithoutBehavior(desired, current, minReplicas, maxReplicas int32) Limits {
	l := Limits{Direction: direction(desired, current), Low: minReplicas}
	l.RateLimit = int32(math.Max(2*float64(current), 4))
	l.High, l.Reason = maxReplicas, ReasonTooManyReplicas
	if maxReplicas > l.RateLimit {
		l.High, l.Reason = l.RateLimit, ReasonScaleUpLimit
	}

	switch {
	case desired < minReplicas:
		l.Result, l.Reason = minReplicas, ReasonTooFewReplicas
	case desired > l.High:
		l.Result = l.High
	default:
		l.Result, l.Reason = desired, ReasonDesiredWithinRange
	}
	l.Limited = l.Result != desired
	l.Message = limitedMessage(l.Reason)
	return l
}

func direction(desired, current int32) string {
	switch {
	case desired > current:
		return "up"
	case desired < current:
		return "down"
	}
	return "none"
}
