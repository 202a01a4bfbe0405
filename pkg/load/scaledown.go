package load

import (
	"fmt"
	"math"
	"time"
)

// judgeScaleDown follows replicas after the load stopped: when the metrics calmed, when
// the first scale-down came (judged against the scale-down window), and when replicas were
// back at minReplicas (judged against the window plus the policies' pace).
func judgeScaleDown(tl Timeline) *ScaleDown {
	d := &ScaleDown{Verdict: VerdictNotHappen}
	calm := func(s Sample) bool { return downCalm(s, tl.Spec) }
	for _, s := range tl.Series {
		if !s.At.Before(tl.LoadEnd) && calm(s) {
			d.Calm = &Crossing{At: s.At, Seconds: s.At.Sub(tl.LoadEnd).Seconds()}
			break
		}
	}

	if r, ok := firstRescale(tl, tl.LoadEnd, false); ok {
		d.FirstDown = judgeFirstDown(tl, r, calm)
	}
	d.ReturnedAt = returnedToMin(tl)
	if d.ReturnedAt != nil {
		d.SecondsAfterLoad = d.ReturnedAt.Sub(tl.LoadEnd).Seconds()
		d.Verdict = VerdictUnjudged
	}
	if d.FirstDown != nil && d.FirstDown.Since != nil {
		judgeReturn(tl, d)
	}
	if d.ReturnedAt == nil && len(tl.Series) > 0 {
		d.BlockedBy = blockers(tl.Series[len(tl.Series)-1], tl.Spec)
	}
	return d
}

func judgeFirstDown(tl Timeline, r Rescale, calm func(Sample) bool) *Judged {
	j := &Judged{Rescale: r, SecondsAfterLoad: r.At.Sub(tl.LoadEnd).Seconds()}
	first := sustainedSince(tl.Series, r.At, calm)
	if !j.since(tl.Series, first, "every metric below its threshold") {
		return j
	}
	w := time.Duration(tl.Spec.ScaleDown.WindowSeconds) * time.Second
	judge(j, expectedDelay(w, tl))
	j.Why = fmt.Sprintf("every recommendation in the %ds scale-down window had to be below "+
		"%d replicas; with a %s sync and %s sampling that allows %s after the metrics calmed",
		tl.Spec.ScaleDown.WindowSeconds, r.From, tl.SyncPeriod, tl.Interval, j.Expected)
	return j
}

// returnedToMin is the time of the rescale that brought replicas to minReplicas after the
// load stopped, or of the first sample that saw them there.
func returnedToMin(tl Timeline) *time.Time {
	for _, r := range tl.Rescales {
		if r.At.After(tl.LoadEnd) && r.To <= tl.Spec.MinReplicas && r.From > r.To {
			at := r.At
			return &at
		}
	}
	for _, s := range tl.Series {
		if s.At.After(tl.LoadEnd) && s.CurrentReplicas <= tl.Spec.MinReplicas {
			at := s.At
			return &at
		}
	}
	return nil
}

// judgeReturn sets the window for the return to minReplicas, measured from the load's end:
// the first scale-down's window from the calm moment, plus the pace of the later steps the
// policies allow, each of which may slip by one sync.
func judgeReturn(tl Timeline, d *ScaleDown) {
	first := d.FirstDown
	steps, pace := downPace(first.Rescale.From, first.Rescale.To, tl.Spec.MinReplicas,
		tl.Spec.ScaleDown, tl.SyncPeriod)
	calmAfterLoad := first.Since.Sub(tl.LoadEnd).Seconds()
	w := Window{
		MinSeconds: calmAfterLoad + first.Expected.MinSeconds + pace.Seconds(),
		MaxSeconds: calmAfterLoad + first.Expected.MaxSeconds + pace.Seconds() +
			float64(steps-1)*tl.SyncPeriod.Seconds(),
	}
	d.Expected = &w
	if d.ReturnedAt == nil {
		return
	}
	switch {
	case w.Contains(d.SecondsAfterLoad):
		d.Verdict = VerdictOnTime
	case d.SecondsAfterLoad < w.MinSeconds:
		d.Verdict = VerdictEarly
	default:
		d.Verdict = VerdictLate
	}
}

// downPace replays the scale-down policies on syncs exactly one period apart, from a first
// step from → to at time zero down to min, with the recommendation already at min. It
// returns the number of steps, the first included, and the time of the last one.
func downPace(from, to, min int32, b Behavior, sync time.Duration) (int, time.Duration) {
	type event struct {
		at      time.Duration
		removed int32
	}
	events := []event{{at: 0, removed: from - to}}
	replicas, steps, last := to, 1, time.Duration(0)
	removedSince := func(now time.Duration) func(int32) int32 {
		return func(period int32) int32 {
			var sum int32
			for _, e := range events {
				if e.at > now-time.Duration(period)*time.Second {
					sum += e.removed
				}
			}
			return sum
		}
	}

	for now := sync; replicas > min && now <= maxSimulated; now += sync {
		next := max(downLimit(replicas, b, removedSince(now)), min)
		if next < replicas {
			events = append(events, event{at: now, removed: replicas - next})
			replicas, last = next, now
			steps++
		}
	}
	return steps, last
}

// maxSimulated stops the replay of a policy that never lets replicas go down.
const maxSimulated = 24 * time.Hour

// downLimit is the lowest replica count the policies allow now, given what each policy's
// period has already removed (the controller's rule, selectPolicy included).
func downLimit(current int32, b Behavior, removed func(period int32) int32) int32 {
	if b.Select == "Disabled" || len(b.Policies) == 0 {
		return current
	}
	limit := int32(math.MaxInt32)
	if b.Select == "Min" {
		limit = math.MinInt32
	}
	for _, p := range b.Policies {
		start := current + removed(p.PeriodSeconds)
		var l int32
		if p.Type == "Pods" {
			l = start - p.Value
		} else {
			l = int32(float64(start) * (1 - float64(p.Value)/100))
		}
		if (b.Select == "Min") == (l > limit) {
			limit = l
		}
	}
	return min(limit, current)
}

// blockers names the metrics that keep replicas from going down in the last sample.
func blockers(s Sample, spec HPASpec) []string {
	var out []string
	for _, m := range s.Metrics {
		ratio, ok := m.Ratio()
		switch {
		case !ok:
			out = append(out, m.Name+" has no value: the controller never scales down "+
				"while a metric fails")
		case ratio >= 1-spec.ScaleDown.Tolerance:
			out = append(out, fmt.Sprintf("%s at %s stays at or above its scale-down "+
				"threshold %s", m.Name, formatValue(*m.Current, m.Utilization),
				formatValue(m.Target*(1-spec.ScaleDown.Tolerance), m.Utilization)))
		}
	}
	if len(out) == 0 && s.CurrentReplicas > spec.MinReplicas {
		out = append(out, "the scale-down window and policies had not run their course "+
			"when the run ended")
	}
	return out
}

// formatValue shows a utilization as "63%" and other values in their own units.
func formatValue(v float64, utilization bool) string {
	if utilization {
		return fmt.Sprintf("%.0f%%", v)
	}
	return fmt.Sprintf("%.4g", v)
}
