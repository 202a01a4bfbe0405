package metrics

import (
	"sort"
	"time"
)

// NextScale says when the HPA could next change the replica count in one direction, at the
// earliest, if the metrics call for it from the next sync on.
type NextScale struct {
	// Possible is false when no load can make it happen (at max or min, policy Disabled).
	Possible bool `json:"possible"`
	// At is the earliest time; the controller acts at its first sync from then on.
	At time.Time `json:"at,omitzero"`
	// Blocker is what holds it back: "stabilization window", "rate policy", "at
	// maxReplicas", "at minReplicas", "policy Disabled"; empty when nothing does.
	Blocker string `json:"blocker,omitempty"`
}

// nextScales fills NextScaleUp and NextScaleDown from the state after this sync.
func (dc *decider) nextScales() {
	d := &dc.d
	d.assume(dc.knobs, KnobSyncPeriod)
	in := normalizeInput{
		current: d.Desired, min: d.Min, max: d.Max, behavior: dc.in.HPA.Spec.Behavior,
		history: dc.historyAfterSync(), downscaleWindow: dc.knobs.DownscaleStabilization,
		now: dc.in.Now.Add(dc.knobs.SyncPeriod),
	}
	d.NextScaleUp = earliest(in, true)
	d.NextScaleDown = earliest(in, false)
}

// historyAfterSync is the history as the controller holds it once this sync is done: the raw
// recommendation recorded and, on a rescale, the scale event stored (behavior only).
func (dc *decider) historyAfterSync() History {
	d := &dc.d
	h := dc.in.History
	h.Recommendations = append(append([]Recommendation(nil), h.Recommendations...),
		Recommendation{Replicas: d.Normalization.Raw, Time: dc.in.Now})
	if !d.Rescale || dc.in.HPA.Spec.Behavior == nil {
		return h
	}
	if d.Desired > d.Current {
		h.ScaleUps = append(append([]ScaleEvent(nil), h.ScaleUps...),
			ScaleEvent{Change: d.Desired - d.Current, Time: dc.in.Now})
	} else {
		h.ScaleDowns = append(append([]ScaleEvent(nil), h.ScaleDowns...),
			ScaleEvent{Change: d.Current - d.Desired, Time: dc.in.Now})
	}
	return h
}

// earliest finds the first time from in.now at which a recommendation one beyond current,
// recorded at every sync from in.now on, moves the count. The outcome only changes when a
// recommendation or a scale event leaves a window, so those instants are the candidates.
func earliest(in normalizeInput, up bool) *NextScale {
	next := &NextScale{}
	switch {
	case up && in.current >= in.max:
		next.Blocker = "at maxReplicas"
		return next
	case !up && in.current <= in.min:
		next.Blocker = "at minReplicas"
		return next
	}

	hypothesis := in.current + 1
	if !up {
		hypothesis = in.current - 1
	}
	for i, t := range candidates(in) {
		n := probe(in, hypothesis, t)
		if i == 0 {
			next.Blocker = blockerOf(n, in.current)
		}
		if (up && n.Final > in.current) || (!up && n.Final < in.current) {
			next.Possible, next.At = true, t
			return next
		}
	}
	next.Blocker = "policy Disabled"
	return next
}

// probe normalizes the hypothesis as the controller would at time t.
func probe(in normalizeInput, hypothesis int32, t time.Time) Normalization {
	p := in
	p.now, p.raw = t, hypothesis
	recs := make([]Recommendation, len(in.history.Recommendations), len(
		in.history.Recommendations)+1)
	copy(recs, in.history.Recommendations)
	p.history.Recommendations = append(recs, Recommendation{Replicas: hypothesis, Time: t})
	return normalize(p)
}

func blockerOf(n Normalization, current int32) string {
	switch {
	case n.Final != current:
		return ""
	case n.Stabilization.Result == current:
		return "stabilization window"
	}
	return "rate policy"
}

// candidates lists in.now and every later instant a recommendation or scale event leaves
// one of the windows or policy periods.
func candidates(in normalizeInput) []time.Time {
	windows := []time.Duration{in.downscaleWindow}
	if in.behavior != nil {
		upRules := ScaleUpRules(in.behavior)
		downRules := ScaleDownRules(in.behavior, in.downscaleWindow)
		windows = []time.Duration{upRules.Window, downRules.Window}
		for _, p := range append(upRules.Policies, downRules.Policies...) {
			windows = append(windows, time.Duration(p.PeriodSeconds)*time.Second)
		}
	}

	times := []time.Time{in.now}
	add := func(at time.Time) {
		for _, w := range windows {
			// one second past the edge, where the entry is outside every comparison
			if t := at.Add(w + time.Second); t.After(in.now) {
				times = append(times, t)
			}
		}
	}
	for _, r := range in.history.Recommendations {
		add(r.Time)
	}
	for _, e := range in.history.ScaleUps {
		add(e.Time)
	}
	for _, e := range in.history.ScaleDowns {
		add(e.Time)
	}
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	return times
}
