package load

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// productSpec is the product's HPA: min 2, max 10, scale-up window 300 s with 2 pods per
// 60 s, scale-down window 600 s with 1 pod per 120 s.
func productSpec() HPASpec {
	return HPASpec{Name: "directus-directus", MinReplicas: 2, MaxReplicas: 10,
		ScaleUp: Behavior{WindowSeconds: 300, Select: "Max", Tolerance: 0.1,
			Policies: []Policy{{"Pods", 2, 60}}},
		ScaleDown: Behavior{WindowSeconds: 600, Select: "Max", Tolerance: 0.1,
			Policies: []Policy{{"Pods", 1, 120}}}}
}

func at(seconds float64) time.Time {
	return t0.Add(time.Duration(seconds * float64(time.Second)))
}

func util(v float64) *float64 { return &v }

// cpuMem is a sample at second sec with current replicas and cpu and memory utilization
// against the product's targets (70 %, 80 %).
func cpuMem(sec float64, replicas int32, cpu, mem float64) Sample {
	return Sample{At: at(sec), Seconds: sec, CurrentReplicas: replicas,
		DesiredReplicas: replicas, ReadyPods: replicas, Metrics: []MetricSample{
			{Name: "cpu", Utilization: true, Current: util(cpu), Target: 70},
			{Name: "memory", Utilization: true, Current: util(mem), Target: 80}}}
}

// series samples every 5 s from..to (inclusive) with what f returns.
func series(from, to float64, f func(sec float64) Sample) []Sample {
	var out []Sample
	for sec := from; sec <= to; sec += 5 {
		out = append(out, f(sec))
	}
	return out
}

func timeline(samples []Sample, rescales ...Rescale) Timeline {
	return Timeline{Spec: productSpec(), LoadStart: at(0), Series: samples,
		Rescales: rescales, Interval: 5 * time.Second, SyncPeriod: 15 * time.Second}
}

func rescale(sec float64, from, to int32) Rescale {
	return Rescale{At: at(sec), Seconds: sec, From: from, To: to,
		Reason: "cpu resource utilization (percentage of request) above target"}
}

// loadFrom is cpu 30 % before sec and 95 % from it on, memory at 40 %.
func loadFrom(sec float64) func(float64) Sample {
	return func(s float64) Sample {
		if s < sec {
			return cpuMem(s, 2, 30, 40)
		}
		return cpuMem(s, 2, 95, 40)
	}
}

func TestScaleUpVerdicts(t *testing.T) {
	// Crossing seen at 45 s. Window 300 s, sync 15 s, sampling 5 s, clock slack 2 s:
	// allowed delay 278 s..302 s.
	cases := []struct {
		name    string
		upAt    float64
		verdict string
	}{
		{"on time", 45 + 290, VerdictOnTime},
		{"earliest", 45 + 278, VerdictOnTime},
		{"latest", 45 + 302, VerdictOnTime},
		{"early", 45 + 120, VerdictEarly},
		{"late", 45 + 400, VerdictLate},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := Analyze(timeline(series(0, 500, loadFrom(45)), rescale(tc.upAt, 2, 4)))

			require.NotNil(t, a.Crossing)
			assert.Equal(t, 45.0, a.Crossing.Seconds)
			assert.Equal(t, "cpu", a.Crossing.Metric)
			assert.Equal(t, 95.0, a.Crossing.Current)
			require.NotNil(t, a.ScaleUp)
			assert.Equal(t, Window{MinSeconds: 278, MaxSeconds: 302}, a.ScaleUp.Expected)
			assert.InDelta(t, tc.upAt-45, a.ScaleUp.Delay, 1e-9)
			assert.Equal(t, tc.upAt, a.ScaleUp.SecondsAfterLoad)
			assert.Equal(t, tc.verdict, a.ScaleUp.Verdict)
		})
	}
}

// TestToleranceBoundary: with a 70 % target the controller acts only above ratio 1.1, so
// 77 % (1.1 exactly) is no crossing and 78 % is.
func TestToleranceBoundary(t *testing.T) {
	spec := productSpec()
	_, crossed := upBreach(cpuMem(0, 2, 77, 40), spec)
	assert.False(t, crossed, "77/70 = 1.1 is inside the tolerance")
	m, crossed := upBreach(cpuMem(0, 2, 78, 40), spec)
	assert.True(t, crossed)
	assert.Equal(t, "cpu", m.Name)

	spec.ScaleUp.Tolerance = 0.05
	_, crossed = upBreach(cpuMem(0, 2, 74, 40), spec)
	assert.True(t, crossed, "a per-HPA tolerance replaces 0.1")
}

// TestInterruptedCrossingRestartsWindow: utilization above the threshold from 45 s, back
// inside the tolerance (75 %) from 105 s to 150 s, above again from 155 s. The window
// counts from 155 s; the first crossing is still reported at 45 s.
func TestInterruptedCrossingRestartsWindow(t *testing.T) {
	samples := series(0, 600, func(s float64) Sample {
		switch {
		case s < 45:
			return cpuMem(s, 2, 30, 40)
		case s >= 105 && s <= 150:
			return cpuMem(s, 2, 75, 40)
		default:
			return cpuMem(s, 2, 95, 40)
		}
	})
	a := Analyze(timeline(samples, rescale(155+295, 2, 4)))

	assert.Equal(t, 45.0, a.Crossing.Seconds)
	require.NotNil(t, a.ScaleUp.Since)
	assert.Equal(t, at(155), *a.ScaleUp.Since)
	assert.Equal(t, 295.0, a.ScaleUp.Delay)
	assert.Equal(t, VerdictOnTime, a.ScaleUp.Verdict)
}

func TestNoWindowScalesAtTheCrossingSync(t *testing.T) {
	tl := timeline(series(0, 120, loadFrom(45)), rescale(43, 2, 4))
	tl.Spec.ScaleUp.WindowSeconds = 0
	a := Analyze(tl)
	assert.Equal(t, VerdictUnjudged, a.ScaleUp.Verdict,
		"a rescale before any sample showed the crossing has no known start")

	tl.Rescales = []Rescale{rescale(46, 2, 4)}
	a = Analyze(tl)
	assert.Equal(t, Window{MinSeconds: -7, MaxSeconds: 17}, a.ScaleUp.Expected)
	assert.Equal(t, VerdictOnTime, a.ScaleUp.Verdict)

	tl.Rescales = []Rescale{rescale(90, 2, 4)}
	assert.Equal(t, VerdictLate, Analyze(tl).ScaleUp.Verdict)
}

func TestAlreadyAboveAtStart(t *testing.T) {
	a := Analyze(timeline(series(0, 400, loadFrom(0)), rescale(100, 2, 4)))

	assert.True(t, a.AlreadyAbove)
	assert.Nil(t, a.Crossing)
	assert.Equal(t, VerdictUnjudged, a.ScaleUp.Verdict)
	assert.Contains(t, a.ScaleUp.Why, "first sample already showed")
}

func TestNoCrossingNoScaleUp(t *testing.T) {
	a := Analyze(timeline(series(0, 400, loadFrom(1e9))))

	assert.Nil(t, a.Crossing)
	assert.Nil(t, a.ScaleUp)
	assert.Equal(t, int32(2), a.Peak.Replicas)
	assert.False(t, a.Peak.LimitedByMax)
}

func TestPeakAndMaxReplicas(t *testing.T) {
	climb := []Rescale{rescale(335, 2, 4), rescale(400, 4, 6), rescale(465, 6, 8),
		rescale(530, 8, 10)}
	limited := series(0, 700, func(s float64) Sample {
		smp := cpuMem(s, 2, 95, 40)
		if s >= 545 {
			smp.CurrentReplicas, smp.LimitedByMax = 10, true
		}
		return smp
	})

	p := Analyze(timeline(limited, climb...)).Peak
	assert.Equal(t, int32(10), p.Replicas)
	assert.Equal(t, at(530), p.At)
	assert.True(t, p.LimitedByMax, "at max with TooManyReplicas")

	p = Analyze(timeline(series(0, 700, loadFrom(45)), climb...)).Peak
	assert.Equal(t, int32(10), p.Replicas)
	assert.False(t, p.LimitedByMax, "at max, but the controller did not want more")

	p = Analyze(timeline(limited[:60], climb[:2]...)).Peak
	assert.Equal(t, int32(6), p.Replicas)
	assert.False(t, p.LimitedByMax, "below max the flag cannot hold")
}

// scaleDownRun: 6 replicas under load until 600 s, cpu at 10 % from 630 s; first step at
// 630 + 595 s, then one pod every 120 s down to 2.
func scaleDownRun(mem float64) Timeline {
	samples := series(0, 1700, func(s float64) Sample {
		switch {
		case s < 630:
			return cpuMem(s, 6, 95, mem)
		case s < 1225:
			return cpuMem(s, 6, 10, mem)
		default:
			n := max(int32(6-1-int((s-1225)/120)), 2)
			return cpuMem(s, n, 10, mem)
		}
	})
	tl := timeline(samples, rescale(1225, 6, 5), rescale(1345, 5, 4), rescale(1465, 4, 3),
		rescale(1585, 3, 2))
	tl.LoadEnd, tl.WatchedScaleDown = at(600), true
	return tl
}

func TestScaleDownOnTime(t *testing.T) {
	d := Analyze(scaleDownRun(40)).ScaleDown
	require.NotNil(t, d)

	assert.Equal(t, 30.0, d.Calm.Seconds)
	require.NotNil(t, d.FirstDown)
	assert.Equal(t, VerdictOnTime, d.FirstDown.Verdict)
	assert.Equal(t, 595.0, d.FirstDown.Delay)
	assert.Equal(t, Window{MinSeconds: 578, MaxSeconds: 602}, d.FirstDown.Expected)

	require.NotNil(t, d.ReturnedAt)
	assert.Equal(t, at(1585), *d.ReturnedAt)
	assert.Equal(t, 985.0, d.SecondsAfterLoad)
	// 30 s to calm + 578..602 s window + 360 s for three more steps (+ 15 s slip each).
	assert.Equal(t, &Window{MinSeconds: 968, MaxSeconds: 1037}, d.Expected)
	assert.Equal(t, VerdictOnTime, d.Verdict)
	assert.Empty(t, d.BlockedBy)
}

func TestScaleDownTooEarly(t *testing.T) {
	tl := scaleDownRun(40)
	tl.Rescales = []Rescale{rescale(700, 6, 2)}
	d := Analyze(tl).ScaleDown
	assert.Equal(t, VerdictEarly, d.FirstDown.Verdict)
	assert.Equal(t, VerdictEarly, d.Verdict)
}

// TestScaleDownBlockedByMemory: memory at 85 % of an 80 % target never falls below its
// scale-down threshold (72 %), as with a Node heap that does not shrink.
func TestScaleDownBlockedByMemory(t *testing.T) {
	tl := scaleDownRun(85)
	tl.Series = tl.Series[:200] // up to 995 s: no rescale, replicas stay at 6
	tl.Rescales = nil

	d := Analyze(tl).ScaleDown
	assert.Nil(t, d.Calm)
	assert.Nil(t, d.FirstDown)
	assert.Nil(t, d.ReturnedAt)
	assert.Equal(t, VerdictNotHappen, d.Verdict)
	assert.Equal(t, []string{"memory at 85% stays at or above its scale-down threshold 72%"},
		d.BlockedBy)
}

func TestScaleDownBlockedByMissingMetric(t *testing.T) {
	tl := scaleDownRun(40)
	tl.Rescales = nil
	tl.Series = tl.Series[:240] // up to 1195 s, replicas still at 6
	tl.Series[239].Metrics[0].Current = nil

	d := Analyze(tl).ScaleDown
	assert.Equal(t, []string{"cpu has no value: the controller never scales down while a " +
		"metric fails"}, d.BlockedBy)
}

func TestDownPace(t *testing.T) {
	pods1 := Behavior{Select: "Max", Policies: []Policy{{"Pods", 1, 120}}}
	steps, last := downPace(10, 9, 2, pods1, 15*time.Second)
	assert.Equal(t, 8, steps)
	assert.Equal(t, 7*120*time.Second, last)

	percent := Behavior{Select: "Max", Policies: []Policy{{"Percent", 50, 60}}}
	steps, last = downPace(10, 5, 2, percent, 15*time.Second)
	assert.Equal(t, 2, steps, "int(5 × 0.5) = 2 reaches min in one more step")
	assert.Equal(t, 60*time.Second, last)

	both := Behavior{Select: "Min", Policies: []Policy{{"Pods", 4, 60}, {"Percent", 10, 60}}}
	steps, _ = downPace(10, 9, 2, both, 15*time.Second)
	assert.Equal(t, 8, steps, "Min picks the smaller drop: 10 % of 9 truncates to 1 pod")

	disabled := Behavior{Select: "Disabled", Policies: pods1.Policies}
	steps, last = downPace(10, 9, 2, disabled, 15*time.Second)
	assert.Equal(t, 1, steps, "a disabled direction never steps again")
	assert.Zero(t, last)
}
