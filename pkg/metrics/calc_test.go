package metrics

import (
	"fmt"
	"math"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// pods builds n default pods named p-0 … p-(n-1) with the same options.
func pods(n int, opts ...podOpt) []*corev1.Pod {
	out := make([]*corev1.Pod, n)
	for i := range out {
		out[i] = newPod(fmt.Sprintf("p-%d", i), opts...)
	}
	return out
}

var defaultTol = Tolerances{Down: 0.1, Up: 0.1}

type calcCase struct {
	name     string
	pods     []*corev1.Pod
	samples  Samples
	resource corev1.ResourceName
	util     bool
	target   int64
	current  int32
	tol      Tolerances
	// expected, worked out by hand in the comment of each case
	path        Path
	proposal    int32
	utilization int32
	ratio       float64
	fill        *Fill
}

func (tc calcCase) run(t *testing.T) Calculation {
	t.Helper()
	tol := tc.tol
	if tol == (Tolerances{}) {
		tol = defaultTol
	}
	c, err := Calculate(PodMetricInput{Pods: tc.pods, Samples: tc.samples,
		Resource: tc.resource, Utilization: tc.util, Target: tc.target, Current: tc.current,
		Tolerances: tol, Now: now})
	if err != nil {
		t.Fatalf("Calculate: %v", err)
	}
	if c.Path != tc.path || c.Proposal != tc.proposal {
		t.Errorf("path %s proposal %d, want %s %d", c.Path, c.Proposal, tc.path, tc.proposal)
	}
	if tc.util && c.Utilization != tc.utilization {
		t.Errorf("utilization %d, want %d", c.Utilization, tc.utilization)
	}
	if math.Abs(c.Ratio-tc.ratio) > 1e-9 {
		t.Errorf("ratio %v, want %v", c.Ratio, tc.ratio)
	}
	if tc.fill != nil && (c.Fill == nil || *c.Fill != *tc.fill) {
		t.Errorf("fill %+v, want %+v", c.Fill, tc.fill)
	}
	return c
}

// Utilization targets; pods request 100m cpu unless said otherwise.
func TestCalculateUtilization(t *testing.T) {
	big := containers(container("app", "1000m", ""))
	cases := []calcCase{
		// 779m of 1000m: int(77.9) = 77; 77/70 = 1.1 ≤ 1 + 0.1 → keep 1
		{name: "truncated utilization stays inside the band", pods: pods(1, big),
			samples: samples("p-0", 779), resource: "cpu", util: true, target: 70, current: 1,
			path: PathWithinTolerance, proposal: 1, utilization: 77, ratio: 1.1},
		// 780m: 78/70 = 1.114 > 1.1 → ceil(1.114 × 1) = 2
		{name: "one percent more leaves the band", pods: pods(1, big),
			samples: samples("p-0", 780), resource: "cpu", util: true, target: 70, current: 1,
			path: PathScaled, proposal: 2, utilization: 78, ratio: 78.0 / 70},
		// 10 pods at 90m: 90/100 = 0.9 ≥ 1 − 0.1 (inclusive) → keep 10
		{name: "lower bound is inclusive", pods: pods(10),
			samples: tenSamples(90), resource: "cpu", util: true, target: 100, current: 10,
			path: PathWithinTolerance, proposal: 10, utilization: 90, ratio: 0.9},
		// 89m: 0.89 → ceil(0.89 × 10) = ceil(8.9) = 9
		{name: "below the band scales down", pods: pods(10),
			samples: tenSamples(89), resource: "cpu", util: true, target: 100, current: 10,
			path: PathScaled, proposal: 9, utilization: 89, ratio: 0.89},
		// 85m with a 0.2 down tolerance: 0.85 ≥ 0.8 → keep 10
		{name: "per-HPA down tolerance widens the band", pods: pods(10),
			samples: tenSamples(85), resource: "cpu", util: true, target: 100, current: 10,
			tol: Tolerances{Down: 0.2, Up: 0.1}, path: PathWithinTolerance, proposal: 10,
			utilization: 85, ratio: 0.85},
		// 70+70+71 = 211 of 300: int(70.33) = 70 → ratio 1 → keep 3
		{name: "status utilization is truncated", pods: pods(3),
			samples: samples("p-0", 70, "p-1", 70, "p-2", 71), resource: "cpu", util: true,
			target: 70, current: 3, path: PathWithinTolerance, proposal: 3, utilization: 70,
			ratio: 1},
		// 2 pods at 181m: 362/200 = 181; 181/70 = 2.586; ceil(2.586 × 2) = ceil(5.17) = 6
		{name: "all counted: ceil(ratio × counted)", pods: pods(2),
			samples: samples("p-0", 181, "p-1", 181), resource: "cpu", util: true, target: 70,
			current: 2, path: PathScaled, proposal: 6, utilization: 181, ratio: 181.0 / 70},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { tc.run(t) })
	}
}

func tenSamples(v int) Samples {
	s := Samples{}
	for i := range 10 {
		s[fmt.Sprintf("p-%d", i)] = sample(int64(v))
	}
	return s
}

// The fill-and-recompute branch, worked by hand from the controller's rules.
func TestCalculateFill(t *testing.T) {
	twoPending := append(pods(2), newPod("p-2", phase(corev1.PodPending)),
		newPod("p-3", phase(corev1.PodPending)))
	cases := []calcCase{
		// B: 30+30 of 200 → 30 → 0.43 < 1; missing p-2 gets 100% of 100m:
		// 160/300 = 53 → 0.757; ceil(0.757 × 3) = 3, not above current 3 → 3
		{name: "one missing pod blocks the scale-down", pods: pods(3),
			samples: samples("p-0", 30, "p-1", 30), resource: "cpu", util: true, target: 70,
			current: 3, path: PathFillScaled, proposal: 3, utilization: 30, ratio: 30.0 / 70,
			fill: &Fill{MissingFilled: 1, MissingPercent: 100, Count: 3, NewUtilization: 53,
				NewRatio: 53.0 / 70}},
		// C: 2 ready at 181m → ratio 2.586 > 1; 2 Pending count as 0:
		// 362/400 = 90 → 1.286; ceil(1.286 × 4) = ceil(5.14) = 6
		{name: "unready pods count as zero on a scale-up", pods: twoPending,
			samples: samples("p-0", 181, "p-1", 181), resource: "cpu", util: true, target: 70,
			current: 4, path: PathFillScaled, proposal: 6, utilization: 181,
			ratio: 181.0 / 70, fill: &Fill{UnreadyFilled: 2, Count: 4, NewUtilization: 90,
				NewRatio: 90.0 / 70}},
		// same with 2 missing instead: ratio > 1 → missing get 0 → the same 6
		{name: "missing pods count as zero on a scale-up", pods: pods(4),
			samples: samples("p-0", 181, "p-1", 181), resource: "cpu", util: true, target: 70,
			current: 4, path: PathFillScaled, proposal: 6, utilization: 181,
			ratio: 181.0 / 70, fill: &Fill{MissingFilled: 2, Count: 4, NewUtilization: 90,
				NewRatio: 90.0 / 70}},
		// target 200: 2 at 150m → 150 → 0.75; missing gets max(100, 200)% = 200m:
		// 500/300 = 166 → 0.83; ceil(0.83 × 3) = ceil(2.49) = 3 (a 100% fill would give 2)
		{name: "missing pods get the target when it is above 100%", pods: pods(3),
			samples: samples("p-0", 150, "p-1", 150), resource: "cpu", util: true,
			target: 200, current: 3, path: PathFillScaled, proposal: 3, utilization: 150,
			ratio: 0.75, fill: &Fill{MissingFilled: 1, MissingPercent: 200, Count: 3,
				NewUtilization: 166, NewRatio: 0.83}},
		// target 50, 2 at 50m: ratio exactly 1 → no fill → new ratio 1 → keep 3
		{name: "ratio exactly one fills nothing", pods: pods(3),
			samples: samples("p-0", 50, "p-1", 50), resource: "cpu", util: true, target: 50,
			current: 3, path: PathFillWithinTolerance, proposal: 3, utilization: 50, ratio: 1,
			fill: &Fill{Count: 2, NewUtilization: 50, NewRatio: 1}},
		// target 50, 1 at 40m → 0.8; 3 missing get 100m: 340/400 = 85 → 1.7 > 1 → keep 4
		{name: "a fill that reverses the direction keeps current", pods: pods(4),
			samples: samples("p-0", 40), resource: "cpu", util: true, target: 50, current: 4,
			path: PathFillReversed, proposal: 4, utilization: 40, ratio: 0.8,
			fill: &Fill{MissingFilled: 3, MissingPercent: 100, Count: 4, NewUtilization: 85,
				NewRatio: 1.7}},
		// current 2 but 4 pods listed; 1 at 20m → 0.2; 3 missing get 100m:
		// 320/400 = 80 → 0.8; ceil(0.8 × 4) = 4 > current 2 while scaling down → keep 2
		{name: "a filled count above current on a scale-down keeps current", pods: pods(4),
			samples: samples("p-0", 20), resource: "cpu", util: true, target: 100, current: 2,
			path: PathFillCountReversed, proposal: 2, utilization: 20, ratio: 0.2,
			fill: &Fill{MissingFilled: 3, MissingPercent: 100, Count: 4, NewUtilization: 80,
				NewRatio: 0.8}},
		// 2 Pending, 2 ready at 60m of target 70 → 0.857 < 1: unready not filled, no
		// missing → straight to ceil(0.857 × 2) = 2
		{name: "unready pods stay out on a scale-down", pods: twoPending,
			samples: samples("p-0", 60, "p-1", 60), resource: "cpu", util: true, target: 70,
			current: 4, path: PathScaled, proposal: 2, utilization: 60, ratio: 60.0 / 70},
		// target 50: 2 at 100m → 2.0; missing p-2 gets 0; the extra sample counts in the
		// multiplier but not in the utilization: 200/300 = 66 → 1.32; ceil(1.32 × 4) = 6
		{name: "samples of unknown pods enlarge the filled count", pods: pods(3),
			samples: samples("p-0", 100, "p-1", 100, "ghost", 500), resource: "cpu",
			util: true, target: 50, current: 3, path: PathFillScaled, proposal: 6,
			utilization: 100, ratio: 2, fill: &Fill{MissingFilled: 1, Count: 4,
				NewUtilization: 66, NewRatio: 1.32}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { tc.run(t) })
	}
}

// Average targets (pods metrics, AverageValue) divide the plain sum by the sample count.
func TestCalculateAverage(t *testing.T) {
	onePending := append(pods(2), newPod("p-2", phase(corev1.PodPending)))
	cases := []calcCase{
		// 150 each of target 100 → 1.5; ceil(1.5 × 3) = ceil(4.5) = 5
		{name: "plain average scales up", pods: pods(3),
			samples: samples("p-0", 150, "p-1", 150, "p-2", 150), target: 100, current: 3,
			path: PathScaled, proposal: 5, ratio: 1.5},
		// 50, 50 → 0.5; missing p-2 gets the target 100: 200/3 = 66 → 0.66;
		// ceil(0.66 × 3) = ceil(1.98) = 2
		{name: "missing pods get the target on a scale-down", pods: pods(3),
			samples: samples("p-0", 50, "p-1", 50), target: 100, current: 3,
			path: PathFillScaled, proposal: 2, ratio: 0.5,
			fill: &Fill{MissingFilled: 1, MissingValue: 100, Count: 3, NewAverage: 66,
				NewRatio: 0.66}},
		// 150, 150 → 1.5; Pending p-2 counts 0: 300/3 = 100 → 1.0 → keep 3
		{name: "pending pods damp the scale-up to nothing", pods: onePending,
			samples: samples("p-0", 150, "p-1", 150), target: 100, current: 3,
			path: PathFillWithinTolerance, proposal: 3, ratio: 1.5,
			fill: &Fill{UnreadyFilled: 1, Count: 3, NewAverage: 100, NewRatio: 1}},
		// 100 + 100 + ghost 400 = 600 / 3 = 200 → 2.0; ceil(2 × 2 counted) = 4
		{name: "unknown pods' samples enter the average but not the multiplier",
			pods: pods(2), samples: samples("p-0", 100, "p-1", 100, "ghost", 400),
			target: 100, current: 2, path: PathScaled, proposal: 4, ratio: 2},
		// cpu average (resource AverageValue) keeps the readiness rules: p-1 never Ready
		// (NotReady since start+10s) is unready; 300 of target 100 → 3.0 > 1 → p-1 counts
		// 0: 300/2 = 150 → 1.5; ceil(1.5 × 2) = 3
		{name: "cpu averages apply the readiness rules", pods: []*corev1.Pod{newPod("p-0"),
			newPod("p-1", ready(corev1.ConditionFalse, 59*time.Minute+50*time.Second))},
			samples: samples("p-0", 300, "p-1", 300), resource: "cpu", target: 100,
			current: 2, path: PathFillScaled, proposal: 3, ratio: 3,
			fill: &Fill{UnreadyFilled: 1, Count: 2, NewAverage: 150, NewRatio: 1.5}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { tc.run(t) })
	}
}

func TestCalculateErrors(t *testing.T) {
	cases := []struct {
		name string
		in   PodMetricInput
		want string
	}{
		{"no pods", PodMetricInput{Target: 70, Utilization: true},
			"no pods returned by selector while calculating replica count"},
		{"every sample left out", PodMetricInput{Pods: pods(2, phase(corev1.PodPending)),
			Samples: samples("p-0", 10, "p-1", 10), Target: 70, Utilization: true},
			"did not receive metrics for targeted pods (pods might be unready)"},
		{"an ignored pod without request still fails the metric", PodMetricInput{
			Pods: append(pods(1), newPod("gone", phase(corev1.PodFailed),
				containers(container("app", "", "")))),
			Samples: samples("p-0", 10), Resource: "cpu", Target: 70, Utilization: true},
			"missing request for cpu in container app of Pod gone"},
		{"only unknown pods sampled, requests add to zero", PodMetricInput{Pods: pods(1),
			Samples: samples("ghost", 10), Resource: "memory", Target: 70, Utilization: true},
			"no metrics returned matched known pods"},
		{"zero requests", PodMetricInput{Pods: pods(1, containers(container("app", "0", ""))),
			Samples: samples("p-0", 10), Resource: "cpu", Target: 70, Utilization: true},
			"no metrics returned matched known pods"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.Now, tc.in.Tolerances = now, defaultTol
			_, err := Calculate(tc.in)
			assertError(t, err, tc.want)
		})
	}
}
