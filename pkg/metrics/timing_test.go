package metrics

import (
	"testing"
	"time"
)

// earliest is probed from the next sync (now + 15 s) with a recommendation one beyond current.
func TestEarliest(t *testing.T) {
	next := now.Add(15 * time.Second)
	cases := []struct {
		name     string
		in       normalizeInput
		up       bool
		possible bool
		at       time.Time
		blocker  string
	}{
		{name: "no behavior: scale-up at the next sync",
			in: normalizeInput{current: 4, min: 1, max: 10, history: History{
				Recommendations: []Recommendation{rec(4, 0)}}},
			up: true, possible: true, at: next},
		// the recommendation of 4 recorded now holds scale-down until now + 5 m + 1 s
		{name: "no behavior: scale-down after the 5 m window",
			in: normalizeInput{current: 4, min: 1, max: 10, history: History{
				Recommendations: []Recommendation{rec(4, 0)}}},
			up: false, possible: true, at: now.Add(5*time.Minute + time.Second),
			blocker: "stabilization window"},
		{name: "at max", in: normalizeInput{current: 10, min: 1, max: 10}, up: true,
			blocker: "at maxReplicas"},
		{name: "at min", in: normalizeInput{current: 1, min: 1, max: 10}, up: false,
			blocker: "at minReplicas"},
		{name: "scale-up disabled by policy",
			in: normalizeInput{current: 3, min: 1, max: 10,
				behavior: upRules(0, selDisabled, podsPolicy(4, 60))},
			up: true, blocker: "policy Disabled"},
		// Pods 2/60 s, +2 at now − 30 s from 2 to 4: start 4 − 2 = 2 → limit 4 = current
		// until the event leaves the period at now + 30 s (+1 s)
		{name: "rate policy budget used up",
			in: normalizeInput{current: 4, min: 1, max: 10,
				behavior: upRules(0, selMax, podsPolicy(2, 60)),
				history:  History{ScaleUps: []ScaleEvent{ev(2, 30*time.Second)}}},
			up: true, possible: true, at: now.Add(31 * time.Second), blocker: "rate policy"},
		// the product's behavior, scale-down: recommendation 4 now; 600 s down window
		{name: "down window of the product's behavior",
			in: normalizeInput{current: 4, min: 2, max: 10, behavior: directusBehavior(),
				history: History{Recommendations: []Recommendation{rec(4, 0)}}},
			up: false, possible: true, at: now.Add(601 * time.Second),
			blocker: "stabilization window"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.now = next
			if tc.in.downscaleWindow == 0 {
				tc.in.downscaleWindow = DefaultDownscaleStabilization
			}
			got := earliest(tc.in, tc.up)
			if got.Possible != tc.possible || !got.At.Equal(tc.at) || got.Blocker != tc.blocker {
				t.Errorf("got %+v, want possible %v at %s blocker %q", got, tc.possible,
					tc.at.Sub(now), tc.blocker)
			}
		})
	}
}

// The guide's timeline with the product's HPA at rest on 2 replicas for an hour: a load
// breach now scales up 300 s later; a drop scales down 600 s later.
func TestDecideTimelineAtRest(t *testing.T) {
	hpa := newHPA(2, 10, utilizationMetric("cpu", 70))
	hpa.Spec.Behavior = directusBehavior()
	leader := now.Add(-2 * time.Hour)
	in := decideInput(hpa, 3, pods(3), uniformCPU(3, "70m"))
	in.History = HistoryFromEvents(EventHistoryInput{HPA: hpa, Current: 3,
		LeaderSince: &leader, Now: now})

	d := Decide(in)
	if d.Desired != 3 || d.Rescale {
		t.Fatalf("at rest: desired %d", d.Desired)
	}
	// every recommendation of the last 300 s is 3, the newest recorded now
	if up := d.NextScaleUp; !up.Possible || !up.At.Equal(now.Add(301*time.Second)) {
		t.Errorf("next scale-up %+v", up)
	}
	if down := d.NextScaleDown; !down.Possible || !down.At.Equal(now.Add(601*time.Second)) {
		t.Errorf("next scale-down %+v", down)
	}
	if !hasAssumption(d, KnobSyncPeriod) {
		t.Errorf("assumptions %v", d.Assumptions)
	}
}
