package load

import (
	"fmt"
	"math"
	"time"
)

// DefaultSyncPeriod is the HPA controller's default --horizontal-pod-autoscaler-sync-period.
const DefaultSyncPeriod = 15 * time.Second

// clockSlack covers the one-second resolution of event and status times, plus the same
// again for the estimate of the cluster's clock offset.
const clockSlack = 2 * time.Second

// Timeline is everything the report arithmetic looks at.
type Timeline struct {
	Spec HPASpec
	// LoadStart is when the generator began; LoadEnd when it stopped (zero while running).
	LoadStart time.Time
	LoadEnd   time.Time
	Series    []Sample
	Rescales  []Rescale
	// Interval is the observer's sampling interval; SyncPeriod the controller's.
	Interval   time.Duration
	SyncPeriod time.Duration
	// WatchedScaleDown is set when sampling went on after the load stopped.
	WatchedScaleDown bool
}

// Analysis is the judgement of one run.
type Analysis struct {
	// Crossing is the first sample after the load started in which a metric passed its
	// target by more than the scale-up tolerance; nil when none did.
	Crossing *Crossing `json:"thresholdCrossed,omitempty"`
	// AlreadyAbove is set when the first sample already showed a crossing, so its time is
	// unknown.
	AlreadyAbove bool `json:"alreadyAboveAtStart,omitempty"`
	// ScaleUp judges the first scale-up after the load started; nil when there was none.
	ScaleUp *Judged `json:"firstScaleUp,omitempty"`
	Peak    Peak    `json:"peak"`
	// ScaleDown is set when the run kept watching after the load stopped.
	ScaleDown *ScaleDown `json:"scaleDown,omitempty"`
}

// Crossing is a moment a metric was beyond its threshold.
type Crossing struct {
	At      time.Time `json:"time"`
	Seconds float64   `json:"secondsAfterLoadStart"`
	Metric  string    `json:"metric"`
	Current float64   `json:"current"`
	Target  float64   `json:"target"`
}

// Window is a range of delays in seconds.
type Window struct {
	MinSeconds float64 `json:"minSeconds"`
	MaxSeconds float64 `json:"maxSeconds"`
}

// Contains reports whether d lies in the window.
func (w Window) Contains(d float64) bool { return d >= w.MinSeconds && d <= w.MaxSeconds }

// Verdicts of a judged rescale.
const (
	VerdictOnTime    = "on time"
	VerdictEarly     = "early"
	VerdictLate      = "late"
	VerdictUnjudged  = "not judged"
	VerdictNotHappen = "did not happen"
)

// Judged is a rescale compared with the window the HPA's behavior allows for it.
type Judged struct {
	Rescale Rescale `json:"rescale"`
	// SecondsAfterLoad is measured from the load's start (scale-up) or end (scale-down).
	SecondsAfterLoad float64 `json:"secondsAfterLoad"`
	// Since is the start of the unbroken run of samples that called for this rescale, and
	// Delay the seconds from it to the rescale.
	Since    *time.Time `json:"sustainedSince,omitempty"`
	Delay    float64    `json:"delaySeconds"`
	Expected Window     `json:"expected"`
	Verdict  string     `json:"verdict"`
	Why      string     `json:"why"`
}

// Peak is the highest replica count of the run.
type Peak struct {
	Replicas int32     `json:"replicas"`
	At       time.Time `json:"time"`
	Max      int32     `json:"maxReplicas"`
	// LimitedByMax is set when the controller wanted more than maxReplicas.
	LimitedByMax bool `json:"limitedByMax"`
}

// ScaleDown is how replicas came back after the load stopped.
type ScaleDown struct {
	// Calm is when every metric first called for fewer pods after the load stopped.
	Calm      *Crossing `json:"calm,omitempty"`
	FirstDown *Judged   `json:"firstScaleDown,omitempty"`
	// ReturnedAt is when replicas were back at minReplicas; nil when they were not by the
	// end of the run. SecondsAfterLoad is measured from the load's end.
	ReturnedAt       *time.Time `json:"returnedToMin,omitempty"`
	SecondsAfterLoad float64    `json:"secondsAfterLoad,omitempty"`
	// Expected is the window for the return to minReplicas, from the load's end, when it
	// can be computed.
	Expected *Window `json:"expected,omitempty"`
	Verdict  string  `json:"verdict"`
	// BlockedBy lists the metrics that kept replicas up at the end of the run.
	BlockedBy []string `json:"blockedBy,omitempty"`
}

// Analyze applies the report arithmetic to a run.
func Analyze(tl Timeline) Analysis {
	if tl.SyncPeriod <= 0 {
		tl.SyncPeriod = DefaultSyncPeriod
	}
	var a Analysis
	a.Crossing, a.AlreadyAbove = firstCrossing(tl)
	a.ScaleUp = judgeScaleUp(tl)
	a.Peak = peakOf(tl)
	if tl.WatchedScaleDown && !tl.LoadEnd.IsZero() {
		a.ScaleDown = judgeScaleDown(tl)
	}
	return a
}

// upBreach returns the first metric of s past its scale-up threshold:
// current/target > 1 + tolerance, the controller's test.
func upBreach(s Sample, spec HPASpec) (MetricSample, bool) {
	for _, m := range s.Metrics {
		if ratio, ok := m.Ratio(); ok && ratio > 1+spec.ScaleUp.Tolerance {
			return m, true
		}
	}
	return MetricSample{}, false
}

// downCalm reports whether every metric of s proposes fewer pods than s runs: each has a
// value, is below its scale-down threshold, and ceil(ratio × current) < current. A metric
// without a value blocks scale-down altogether.
func downCalm(s Sample, spec HPASpec) bool {
	if len(s.Metrics) == 0 {
		return false
	}
	for _, m := range s.Metrics {
		ratio, ok := m.Ratio()
		if !ok || ratio >= 1-spec.ScaleDown.Tolerance {
			return false
		}
		if math.Ceil(ratio*float64(s.CurrentReplicas)) >= float64(s.CurrentReplicas) {
			return false
		}
	}
	return true
}

func firstCrossing(tl Timeline) (*Crossing, bool) {
	for i, s := range tl.Series {
		if s.At.Before(tl.LoadStart) {
			continue
		}
		m, ok := upBreach(s, tl.Spec)
		if !ok {
			continue
		}
		if i == 0 {
			return nil, true
		}
		return crossingAt(s, m, tl.LoadStart), false
	}
	return nil, false
}

func crossingAt(s Sample, m MetricSample, from time.Time) *Crossing {
	c := &Crossing{At: s.At, Seconds: s.At.Sub(from).Seconds(), Metric: m.Name, Target: m.Target}
	if m.Current != nil {
		c.Current = *m.Current
	}
	return c
}

// sustainedSince walks back from the last sample at or before t while cond holds and
// returns the index of the earliest sample of that run: -1 when the sample before t fails
// cond, 0 when the run goes back to the first sample (so it may have begun earlier).
func sustainedSince(series []Sample, t time.Time, cond func(Sample) bool) int {
	last := -1
	for i, s := range series {
		if s.At.After(t) {
			break
		}
		last = i
	}
	if last < 0 || !cond(series[last]) {
		return -1
	}
	first := last
	for first > 0 && cond(series[first-1]) {
		first--
	}
	return first
}

// since fills a judged rescale's start from sustainedSince, or says why it cannot.
func (j *Judged) since(series []Sample, first int, what string) bool {
	switch first {
	case -1:
		j.Verdict = VerdictUnjudged
		j.Why = "no sample showed " + what + " just before this rescale, so its start is unknown"
		return false
	case 0:
		j.Verdict = VerdictUnjudged
		j.Why = "the first sample already showed " + what + ", so its start is unknown"
		return false
	}
	at := series[first].At
	j.Since, j.Delay = &at, j.Rescale.At.Sub(at).Seconds()
	return true
}

// expectedDelay is the window, in seconds from the first sample that showed the need, in
// which a rescale held back by a stabilization window of w can happen. The controller
// acts on the first sync at which its last contrary recommendation, one sync before the
// first sample's data, has left the window: between w − sync and w after that sync. The
// sample may trail that sync by up to one interval, and times carry clockSlack.
func expectedDelay(w time.Duration, tl Timeline) Window {
	if w <= 0 {
		return Window{MinSeconds: -(tl.Interval + clockSlack).Seconds(),
			MaxSeconds: (tl.SyncPeriod + clockSlack).Seconds()}
	}
	low := w - tl.SyncPeriod - tl.Interval - clockSlack
	return Window{MinSeconds: max(low, 0).Seconds(), MaxSeconds: (w + clockSlack).Seconds()}
}

func judge(j *Judged, window Window) {
	j.Expected = window
	switch {
	case window.Contains(j.Delay):
		j.Verdict = VerdictOnTime
	case j.Delay < window.MinSeconds:
		j.Verdict = VerdictEarly
	default:
		j.Verdict = VerdictLate
	}
}

func firstRescale(tl Timeline, after time.Time, up bool) (Rescale, bool) {
	for _, r := range tl.Rescales {
		if r.At.After(after.Add(-clockSlack)) && r.Up() == up && r.To != r.From {
			return r, true
		}
	}
	return Rescale{}, false
}

func judgeScaleUp(tl Timeline) *Judged {
	r, ok := firstRescale(tl, tl.LoadStart, true)
	if !ok {
		return nil
	}
	j := &Judged{Rescale: r, SecondsAfterLoad: r.At.Sub(tl.LoadStart).Seconds()}
	breach := func(s Sample) bool { _, ok := upBreach(s, tl.Spec); return ok }
	if !j.since(tl.Series, sustainedSince(tl.Series, r.At, breach), "the threshold crossed") {
		return j
	}

	w := time.Duration(tl.Spec.ScaleUp.WindowSeconds) * time.Second
	judge(j, expectedDelay(w, tl))
	j.Why = fmt.Sprintf("every recommendation in the %ds scale-up window had to exceed %d "+
		"replicas; with a %s sync and %s sampling that allows %s after the crossing",
		tl.Spec.ScaleUp.WindowSeconds, r.From, tl.SyncPeriod, tl.Interval, j.Expected)
	return j
}

// String shows a window as "4m45s–5m02s".
func (w Window) String() string {
	return fmtSeconds(w.MinSeconds) + "–" + fmtSeconds(w.MaxSeconds)
}

func fmtSeconds(s float64) string {
	return (time.Duration(math.Round(s)) * time.Second).String()
}

// peakOf finds the highest replica count and the earliest moment it was reached, by a
// rescale or in a sample.
func peakOf(tl Timeline) Peak {
	p := Peak{Max: tl.Spec.MaxReplicas}
	consider := func(replicas int32, at time.Time) {
		if replicas > p.Replicas || (replicas == p.Replicas && at.Before(p.At)) {
			p.Replicas, p.At = replicas, at
		}
	}
	for _, s := range tl.Series {
		consider(s.CurrentReplicas, s.At)
		p.LimitedByMax = p.LimitedByMax || s.LimitedByMax
	}
	for _, r := range tl.Rescales {
		consider(r.To, r.At)
	}
	p.LimitedByMax = p.LimitedByMax && p.Replicas >= p.Max
	return p
}
