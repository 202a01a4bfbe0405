package metrics

import (
	"testing"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
)

func rec(n int32, ago time.Duration) Recommendation {
	return Recommendation{Replicas: n, Time: now.Add(-ago)}
}

func ev(n int32, ago time.Duration) ScaleEvent {
	return ScaleEvent{Change: n, Time: now.Add(-ago)}
}

type normCase struct {
	name                     string
	raw, current, minR, maxR int32
	behavior                 *autoscalingv2.HorizontalPodAutoscalerBehavior
	history                  History
	stabilized               int32
	stabilizeReason          string
	final                    int32
	limitReason              string
	limited                  bool
}

func (tc normCase) run(t *testing.T) Normalization {
	t.Helper()
	n := normalize(normalizeInput{raw: tc.raw, current: tc.current, min: tc.minR,
		max: tc.maxR, behavior: tc.behavior, history: tc.history,
		downscaleWindow: DefaultDownscaleStabilization, now: now})
	st, l := n.Stabilization, n.Limits
	if st.Result != tc.stabilized || st.Reason != tc.stabilizeReason {
		t.Errorf("stabilized %d %s, want %d %s", st.Result, st.Reason, tc.stabilized,
			tc.stabilizeReason)
	}
	if n.Final != tc.final || l.Reason != tc.limitReason || l.Limited != tc.limited {
		t.Errorf("final %d %s limited=%v, want %d %s %v", n.Final, l.Reason, l.Limited,
			tc.final, tc.limitReason, tc.limited)
	}
	if l.Message != limitedMessage(tc.limitReason) {
		t.Errorf("message %q does not belong to %s", l.Message, tc.limitReason)
	}
	return n
}

// Without spec.behavior: highest recommendation of the last 5 minutes, then min, then
// min(max, max(2 × current, 4)).
func TestNormalizeWithoutBehavior(t *testing.T) {
	cases := []normCase{
		// D: current 2, raw 6; cap max(4, 4) = 4 < max 10 → 4, ScaleUpLimit
		{name: "scale-up capped at twice current", raw: 6, current: 2, minR: 1, maxR: 10,
			stabilized: 6, stabilizeReason: ReasonReadyForNewScale, final: 4,
			limitReason: ReasonScaleUpLimit, limited: true},
		// current 3, raw 8: cap 6 ≥ max 5 → 5, TooManyReplicas
		{name: "max below the cap", raw: 8, current: 3, minR: 1, maxR: 5, stabilized: 8,
			stabilizeReason: ReasonReadyForNewScale, final: 5,
			limitReason: ReasonTooManyReplicas, limited: true},
		// current 1: cap max(2, 4) = 4 → raw 3 fits
		{name: "cap is at least 4", raw: 3, current: 1, minR: 1, maxR: 10, stabilized: 3,
			stabilizeReason: ReasonReadyForNewScale, final: 3,
			limitReason: ReasonDesiredWithinRange},
		// raw 1 under min 2 → 2, TooFewReplicas
		{name: "below min", raw: 1, current: 3, minR: 2, maxR: 10, stabilized: 1,
			stabilizeReason: ReasonReadyForNewScale, final: 2,
			limitReason: ReasonTooFewReplicas, limited: true},
		// recs 5 (4 m ago, inside 5 m) and 7 (6 m ago, outside): max(3, 5) = 5
		{name: "highest recommendation of the window", raw: 3, current: 5, minR: 1, maxR: 10,
			history: History{Recommendations: []Recommendation{rec(5, 4*time.Minute),
				rec(7, 6*time.Minute)}},
			stabilized: 5, stabilizeReason: ReasonScaleDownStabilized, final: 5,
			limitReason: ReasonDesiredWithinRange},
		// a recommendation exactly 5 m old is still inside (not before the cutoff)
		{name: "window edge is inclusive", raw: 3, current: 5, minR: 1, maxR: 10,
			history:    History{Recommendations: []Recommendation{rec(6, 5*time.Minute)}},
			stabilized: 6, stabilizeReason: ReasonScaleDownStabilized, final: 6,
			limitReason: ReasonDesiredWithinRange},
		// scale-up is never held back: raw 6 > recs 2
		{name: "scale-up is not stabilized", raw: 6, current: 4, minR: 1, maxR: 10,
			history:    History{Recommendations: []Recommendation{rec(2, time.Minute)}},
			stabilized: 6, stabilizeReason: ReasonReadyForNewScale, final: 6,
			limitReason: ReasonDesiredWithinRange},
		// from zero: cap max(0, 4) = 4
		{name: "from zero the cap is 4", raw: 9, current: 0, minR: 0, maxR: 10, stabilized: 9,
			stabilizeReason: ReasonReadyForNewScale, final: 4,
			limitReason: ReasonScaleUpLimit, limited: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { tc.run(t) })
	}
}

func upRules(window int32, sel autoscalingv2.ScalingPolicySelect,
	policies ...autoscalingv2.HPAScalingPolicy) *autoscalingv2.HorizontalPodAutoscalerBehavior {
	return &autoscalingv2.HorizontalPodAutoscalerBehavior{
		ScaleUp: &autoscalingv2.HPAScalingRules{StabilizationWindowSeconds: ptr(window),
			SelectPolicy: ptr(sel), Policies: policies},
		ScaleDown: &autoscalingv2.HPAScalingRules{StabilizationWindowSeconds: ptr(int32(0))},
	}
}

func downRules(window int32, sel autoscalingv2.ScalingPolicySelect,
	policies ...autoscalingv2.HPAScalingPolicy) *autoscalingv2.HorizontalPodAutoscalerBehavior {
	return &autoscalingv2.HorizontalPodAutoscalerBehavior{
		ScaleDown: &autoscalingv2.HPAScalingRules{StabilizationWindowSeconds: ptr(window),
			SelectPolicy: ptr(sel), Policies: policies},
	}
}

func podsPolicy(v, period int32) autoscalingv2.HPAScalingPolicy {
	return autoscalingv2.HPAScalingPolicy{Type: autoscalingv2.PodsScalingPolicy, Value: v,
		PeriodSeconds: period}
}

func percentPolicy(v, period int32) autoscalingv2.HPAScalingPolicy {
	return autoscalingv2.HPAScalingPolicy{Type: autoscalingv2.PercentScalingPolicy, Value: v,
		PeriodSeconds: period}
}

const (
	selMax      = autoscalingv2.MaxChangePolicySelect
	selMin      = autoscalingv2.MinChangePolicySelect
	selDisabled = autoscalingv2.DisabledPolicySelect
)

// Rate policies: start = current − added + removed within the period; up Pods start + v,
// Percent ceil(start × (1 + v/100)); down Pods start − v, Percent int(start × (1 − v/100)).
func TestNormalizeRatePolicies(t *testing.T) {
	both := []autoscalingv2.HPAScalingPolicy{podsPolicy(4, 60), percentPolicy(100, 60)}
	downBoth := []autoscalingv2.HPAScalingPolicy{podsPolicy(1, 60), percentPolicy(50, 60)}
	cases := []normCase{
		// F: Pods 2/60 s, +2 event 30 s ago: start 4 − 2 = 2 → limit 4 = current
		{name: "a recent scale-up uses up the budget", raw: 8, current: 4, minR: 1, maxR: 10,
			behavior:   upRules(0, selMax, podsPolicy(2, 60)),
			history:    History{ScaleUps: []ScaleEvent{ev(2, 30*time.Second)}},
			stabilized: 8, stabilizeReason: ReasonReadyForNewScale, final: 4,
			limitReason: ReasonScaleUpLimit, limited: true},
		// the event exactly 60 s old is out of the period: start 4 → limit 6
		{name: "an event exactly one period old no longer counts", raw: 8, current: 4,
			minR: 1, maxR: 10, behavior: upRules(0, selMax, podsPolicy(2, 60)),
			history:    History{ScaleUps: []ScaleEvent{ev(2, 60*time.Second)}},
			stabilized: 8, stabilizeReason: ReasonReadyForNewScale, final: 6,
			limitReason: ReasonScaleUpLimit, limited: true},
		// a scale-down of 2 30 s ago raises the start: 4 + 2 = 6 → Pods 2 → 8
		{name: "recent scale-downs widen the scale-up budget", raw: 9, current: 4, minR: 1,
			maxR: 10, behavior: upRules(0, selMax, podsPolicy(2, 60)),
			history:    History{ScaleDowns: []ScaleEvent{ev(2, 30*time.Second)}},
			stabilized: 9, stabilizeReason: ReasonReadyForNewScale, final: 8,
			limitReason: ReasonScaleUpLimit, limited: true},
		// current 3: Pods 3 + 4 = 7, Percent ceil(3 × 2) = 6; Max → 7
		{name: "select Max on the way up takes the larger limit", raw: 20, current: 3,
			minR: 1, maxR: 50, behavior: upRules(0, selMax, both...), stabilized: 20,
			stabilizeReason: ReasonReadyForNewScale, final: 7,
			limitReason: ReasonScaleUpLimit, limited: true},
		{name: "select Min on the way up takes the smaller limit", raw: 20, current: 3,
			minR: 1, maxR: 50, behavior: upRules(0, selMin, both...), stabilized: 20,
			stabilizeReason: ReasonReadyForNewScale, final: 6,
			limitReason: ReasonScaleUpLimit, limited: true},
		{name: "select Disabled holds scale-up at current", raw: 20, current: 3, minR: 1,
			maxR: 50, behavior: upRules(0, selDisabled, both...), stabilized: 20,
			stabilizeReason: ReasonReadyForNewScale, final: 3,
			limitReason: ReasonScaleUpLimit, limited: true},
		// limit 7 ≥ max 5 → capped by max: TooManyReplicas
		{name: "max below the rate limit", raw: 20, current: 3, minR: 1, maxR: 5,
			behavior: upRules(0, selMax, both...), stabilized: 20,
			stabilizeReason: ReasonReadyForNewScale, final: 5,
			limitReason: ReasonTooManyReplicas, limited: true},
		// Percent 10: ceil(3 × 1.1) = ceil(3.3) = 4
		{name: "percent up rounds up", raw: 9, current: 3, minR: 1, maxR: 10,
			behavior: upRules(0, selMax, percentPolicy(10, 60)), stabilized: 9,
			stabilizeReason: ReasonReadyForNewScale, final: 4,
			limitReason: ReasonScaleUpLimit, limited: true},
		// E: Percent 50/60 s, current 5: int(2.5) = 2 → min 1 < 2 → floor 2, ScaleDownLimit
		{name: "percent down truncates", raw: 1, current: 5, minR: 1, maxR: 10,
			behavior: downRules(0, selMax, percentPolicy(50, 60)), stabilized: 1,
			stabilizeReason: ReasonReadyForNewScale, final: 2,
			limitReason: ReasonScaleDownLimit, limited: true},
		// current 10: Pods 10 − 1 = 9, Percent int(10 × 0.5) = 5; Max (biggest drop) → 5
		{name: "select Max on the way down takes the biggest drop", raw: 2, current: 10,
			minR: 1, maxR: 10, behavior: downRules(0, selMax, downBoth...), stabilized: 2,
			stabilizeReason: ReasonReadyForNewScale, final: 5,
			limitReason: ReasonScaleDownLimit, limited: true},
		{name: "select Min on the way down takes the smallest drop", raw: 2, current: 10,
			minR: 1, maxR: 10, behavior: downRules(0, selMin, downBoth...), stabilized: 2,
			stabilizeReason: ReasonReadyForNewScale, final: 9,
			limitReason: ReasonScaleDownLimit, limited: true},
		{name: "select Disabled holds scale-down at current", raw: 2, current: 10, minR: 1,
			maxR: 10, behavior: downRules(0, selDisabled, downBoth...), stabilized: 2,
			stabilizeReason: ReasonReadyForNewScale, final: 10,
			limitReason: ReasonScaleDownLimit, limited: true},
		// floor 5 from the policies but min 6 is higher: TooFewReplicas
		{name: "min above the rate floor", raw: 2, current: 10, minR: 6, maxR: 10,
			behavior: downRules(0, selMax, downBoth...), stabilized: 2,
			stabilizeReason: ReasonReadyForNewScale, final: 6,
			limitReason: ReasonTooFewReplicas, limited: true},
		// a scale-down of 3 20 s ago: start 10 + 3 = 13 → Pods 1 → 12 ≥ current → 10
		{name: "a recent scale-down uses up the down budget", raw: 2, current: 10, minR: 1,
			maxR: 10, behavior: downRules(0, selMax, podsPolicy(1, 60)),
			history:    History{ScaleDowns: []ScaleEvent{ev(3, 20*time.Second)}},
			stabilized: 2, stabilizeReason: ReasonReadyForNewScale, final: 10,
			limitReason: ReasonScaleDownLimit, limited: true},
		// within range moves freely: raw 5, current 4, default up policies allow 8
		{name: "within range", raw: 5, current: 4, minR: 1, maxR: 10,
			behavior: upRules(0, selMax, both...), stabilized: 5,
			stabilizeReason: ReasonReadyForNewScale, final: 5,
			limitReason: ReasonDesiredWithinRange},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { tc.run(t) })
	}
}

// Stabilization with behavior: result = current raised to the lowest recommendation of the
// up window, then lowered to the highest of the down window.
func TestNormalizeStabilizationWithBehavior(t *testing.T) {
	cases := []normCase{
		// up window 300 s: recs 4 (200 s) and 6 (100 s): upRec = min(8, 4, 6) = 4 → 4
		{name: "a low recommendation in the up window holds the scale-up", raw: 8,
			current: 4, minR: 1, maxR: 10, behavior: upRules(300, selMax, podsPolicy(4, 60)),
			history: History{Recommendations: []Recommendation{rec(4, 200*time.Second),
				rec(6, 100*time.Second)}},
			stabilized: 4, stabilizeReason: ReasonScaleUpStabilized, final: 4,
			limitReason: ReasonDesiredWithinRange},
		// recs 6 (30 s) and 7 (10 s) in a 60 s up window: upRec 6 → scale to 6
		{name: "the up window lets through its lowest recommendation", raw: 9, current: 4,
			minR: 1, maxR: 10, behavior: upRules(60, selMax, podsPolicy(4, 60)),
			history: History{Recommendations: []Recommendation{rec(6, 30*time.Second),
				rec(7, 10*time.Second)}},
			stabilized: 6, stabilizeReason: ReasonScaleUpStabilized, final: 6,
			limitReason: ReasonDesiredWithinRange},
		// a recommendation exactly window-old is out (strictly after the cutoff)
		{name: "up window edge is exclusive", raw: 8, current: 4, minR: 1, maxR: 10,
			behavior:   upRules(300, selMax, podsPolicy(4, 60)),
			history:    History{Recommendations: []Recommendation{rec(4, 300*time.Second)}},
			stabilized: 8, stabilizeReason: ReasonReadyForNewScale, final: 8,
			limitReason: ReasonDesiredWithinRange},
		// down window 600 s: rec 8 (500 s): downRec max(3, 8) = 8; current 6 stays
		{name: "a high recommendation in the down window holds the scale-down", raw: 3,
			current: 6, minR: 1, maxR: 10, behavior: downRules(600, selMax, podsPolicy(1, 60)),
			history:    History{Recommendations: []Recommendation{rec(8, 500*time.Second)}},
			stabilized: 6, stabilizeReason: ReasonScaleDownStabilized, final: 6,
			limitReason: ReasonDesiredWithinRange},
		// down window unset in behavior → the flag's 5 m: rec 8 at 6 m ago is out → 3,
		// then the default down policy Percent 100/15 s allows int(6 × 0) = 0 → min 1 → 3
		{name: "unset down window falls back to the flag", raw: 3, current: 6, minR: 1,
			maxR: 10, behavior: &autoscalingv2.HorizontalPodAutoscalerBehavior{},
			history:    History{Recommendations: []Recommendation{rec(8, 6*time.Minute)}},
			stabilized: 3, stabilizeReason: ReasonReadyForNewScale, final: 3,
			limitReason: ReasonDesiredWithinRange},
		// default up rules (no window, Pods 4 and Percent 100 per 15 s, Max): current 3 →
		// max(7, 6) = 7
		{name: "defaults when behavior names no up rules", raw: 20, current: 3, minR: 1,
			maxR: 50, behavior: &autoscalingv2.HorizontalPodAutoscalerBehavior{},
			stabilized: 20, stabilizeReason: ReasonReadyForNewScale, final: 7,
			limitReason: ReasonScaleUpLimit, limited: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { tc.run(t) })
	}
}

func TestRulesDefaults(t *testing.T) {
	up := ScaleUpRules(nil)
	if up.Window != 0 || up.SelectPolicy != selMax || len(up.Policies) != 2 ||
		up.Policies[0] != podsPolicy(4, 15) || up.Policies[1] != percentPolicy(100, 15) {
		t.Errorf("scale-up defaults = %+v", up)
	}
	down := ScaleDownRules(&autoscalingv2.HorizontalPodAutoscalerBehavior{
		ScaleDown: &autoscalingv2.HPAScalingRules{Policies: []autoscalingv2.HPAScalingPolicy{
			podsPolicy(1, 120)}}}, 7*time.Minute)
	if down.Window != 7*time.Minute || down.SelectPolicy != selMax ||
		len(down.Policies) != 1 || down.Policies[0] != podsPolicy(1, 120) {
		t.Errorf("scale-down rules = %+v", down)
	}
}
