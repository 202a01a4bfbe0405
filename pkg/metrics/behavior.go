package metrics

import (
	"math"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
)

// Rules are one direction's scaling rules with every default filled in.
type Rules struct {
	Window       time.Duration                     `json:"-"`
	SelectPolicy autoscalingv2.ScalingPolicySelect `json:"selectPolicy"`
	Policies     []autoscalingv2.HPAScalingPolicy  `json:"policies"`
}

// ScaleUpRules returns the scale-up rules in effect: the API server's defaults (no window,
// Pods 4 and Percent 100 per 15 s, select Max) for every field left unset.
func ScaleUpRules(b *autoscalingv2.HorizontalPodAutoscalerBehavior) Rules {
	r := Rules{
		SelectPolicy: autoscalingv2.MaxChangePolicySelect,
		Policies: []autoscalingv2.HPAScalingPolicy{
			{Type: autoscalingv2.PodsScalingPolicy, Value: 4, PeriodSeconds: 15},
			{Type: autoscalingv2.PercentScalingPolicy, Value: 100, PeriodSeconds: 15},
		},
	}
	if b != nil {
		r.override(b.ScaleUp)
	}
	return r
}

// ScaleDownRules returns the scale-down rules in effect: window from downscaleWindow (the
// controller flag) unless set, Percent 100 per 15 s, select Max.
func ScaleDownRules(b *autoscalingv2.HorizontalPodAutoscalerBehavior,
	downscaleWindow time.Duration) Rules {
	r := Rules{
		Window:       downscaleWindow,
		SelectPolicy: autoscalingv2.MaxChangePolicySelect,
		Policies: []autoscalingv2.HPAScalingPolicy{
			{Type: autoscalingv2.PercentScalingPolicy, Value: 100, PeriodSeconds: 15},
		},
	}
	if b != nil {
		r.override(b.ScaleDown)
	}
	return r
}

func (r *Rules) override(from *autoscalingv2.HPAScalingRules) {
	if from == nil {
		return
	}
	if from.StabilizationWindowSeconds != nil {
		r.Window = time.Duration(*from.StabilizationWindowSeconds) * time.Second
	}
	if from.SelectPolicy != nil {
		r.SelectPolicy = *from.SelectPolicy
	}
	if from.Policies != nil {
		r.Policies = from.Policies
	}
}

// downWindowDefaulted reports whether the scale-down window comes from the controller flag.
func downWindowDefaulted(b *autoscalingv2.HorizontalPodAutoscalerBehavior) bool {
	return b == nil || b.ScaleDown == nil || b.ScaleDown.StabilizationWindowSeconds == nil
}

// normalizeWithBehavior stabilizes between the lowest recommendation of the up window and the
// highest of the down window, then applies the rate policies and min/max.
func normalizeWithBehavior(in normalizeInput) Normalization {
	up := ScaleUpRules(in.behavior)
	down := ScaleDownRules(in.behavior, in.downscaleWindow)
	n := Normalization{Behavior: true, Raw: in.raw}
	n.Stabilization = stabilize(in.raw, in.current, in.history.Recommendations, up.Window,
		down.Window, in.now)

	n.Limits = rateLimit(n.Stabilization.Result, in, up, down)
	n.Final = n.Limits.Result
	return n
}

// stabilize keeps the result between upRec (lowest recent) and downRec (highest recent),
// starting from current.
func stabilize(raw, current int32, recs []Recommendation, upWindow, downWindow time.Duration,
	now time.Time) Stabilization {
	st := Stabilization{UpWindow: Duration(upWindow), DownWindow: Duration(downWindow),
		UpRecommendation: raw, DownRecommendation: raw}
	upCutoff, downCutoff := now.Add(-upWindow), now.Add(-downWindow)
	for _, rec := range recs {
		inUp, inDown := rec.Time.After(upCutoff), rec.Time.After(downCutoff)
		if inUp {
			st.UpRecommendation = min(st.UpRecommendation, rec.Replicas)
		}
		if inDown {
			st.DownRecommendation = max(st.DownRecommendation, rec.Replicas)
		}
		if inUp || inDown {
			st.Considered++
		}
	}

	st.Result = current
	if st.Result < st.UpRecommendation {
		st.Result = st.UpRecommendation
	}
	if st.Result > st.DownRecommendation {
		st.Result = st.DownRecommendation
	}
	st.Reason = ReasonReadyForNewScale
	if st.Result != raw {
		st.Reason = ReasonScaleDownStabilized
		if raw >= current {
			st.Reason = ReasonScaleUpStabilized
		}
	}
	return st
}

// rateLimit applies the policies of the direction the stabilized count moves in, then min or
// max of that direction only.
func rateLimit(desired int32, in normalizeInput, up, down Rules) Limits {
	l := Limits{Direction: direction(desired, in.current), Low: in.min, High: in.max,
		Result: desired, Reason: ReasonDesiredWithinRange}
	switch l.Direction {
	case "up":
		l.SelectPolicy = up.SelectPolicy
		l.RateLimit, l.Policies = policyLimit(in.current, in.history, up, true, in.now)
		l.RateLimit = max(l.RateLimit, in.current)
		if in.max > l.RateLimit {
			l.High = l.RateLimit
		}
		if desired > l.High {
			l.Result, l.Reason = l.High, ReasonTooManyReplicas
			if in.max > l.RateLimit {
				l.Reason = ReasonScaleUpLimit
			}
		}
	case "down":
		l.SelectPolicy = down.SelectPolicy
		l.RateLimit, l.Policies = policyLimit(in.current, in.history, down, false, in.now)
		l.RateLimit = min(l.RateLimit, in.current)
		if in.min < l.RateLimit {
			l.Low = l.RateLimit
		}
		if desired < l.Low {
			l.Result, l.Reason = l.Low, ReasonTooFewReplicas
			if in.min < l.RateLimit {
				l.Reason = ReasonScaleDownLimit
			}
		}
	}
	l.Limited = l.Result != desired
	l.Message = limitedMessage(l.Reason)
	return l
}

// policyLimit evaluates every policy of one direction and picks per selectPolicy: on the way
// up Max takes the largest limit and Min the smallest; on the way down Max takes the smallest
// (the biggest drop) and Min the largest; Disabled allows no change.
func policyLimit(current int32, h History, rules Rules, up bool,
	now time.Time) (int32, []PolicyLimit) {
	if rules.SelectPolicy == autoscalingv2.DisabledPolicySelect {
		return current, nil
	}
	takeLarger := up != (rules.SelectPolicy == autoscalingv2.MinChangePolicySelect)
	result := int32(math.MaxInt32)
	if takeLarger {
		result = math.MinInt32
	}

	limits := make([]PolicyLimit, 0, len(rules.Policies))
	for _, p := range rules.Policies {
		pl := evaluatePolicy(p, current, h, up, now)
		limits = append(limits, pl)
		if takeLarger {
			result = max(result, pl.Limit)
		} else {
			result = min(result, pl.Limit)
		}
	}
	return result, limits
}

func evaluatePolicy(p autoscalingv2.HPAScalingPolicy, current int32, h History, up bool,
	now time.Time) PolicyLimit {
	period := time.Duration(p.PeriodSeconds) * time.Second
	pl := PolicyLimit{Type: p.Type, Value: p.Value, PeriodSeconds: p.PeriodSeconds,
		Added:   changedSince(h.ScaleUps, now.Add(-period)),
		Removed: changedSince(h.ScaleDowns, now.Add(-period))}
	pl.Start = current - pl.Added + pl.Removed

	switch {
	case p.Type == autoscalingv2.PodsScalingPolicy && up:
		pl.Limit = pl.Start + p.Value
	case p.Type == autoscalingv2.PodsScalingPolicy:
		pl.Limit = pl.Start - p.Value
	case p.Type == autoscalingv2.PercentScalingPolicy && up:
		pl.Limit = saturate32(math.Ceil(float64(pl.Start) * (1 + float64(p.Value)/100)))
	case p.Type == autoscalingv2.PercentScalingPolicy:
		pl.Limit = saturate32(math.Trunc(float64(pl.Start) * (1 - float64(p.Value)/100)))
	}
	return pl
}

// changedSince adds up the events strictly after cutoff.
func changedSince(events []ScaleEvent, cutoff time.Time) int32 {
	var sum int32
	for _, e := range events {
		if e.Time.After(cutoff) {
			sum += e.Change
		}
	}
	return sum
}
