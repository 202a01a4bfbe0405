package metrics

import (
	"math"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
)

func TestValueReplicas(t *testing.T) {
	threeReady := append(pods(2), newPod("p-2", ready(corev1.ConditionFalse, time.Minute)),
		newPod("p-3", phase(corev1.PodPending)))
	cases := []struct {
		name           string
		usage, target  int64
		current        int32
		pods           []*corev1.Pod
		want           int32
		wantReady      int64
		wantWithin     bool
		wantErrMessage string
	}{
		// 105/100 = 1.05 within 0.1 → keep 4, no pods needed
		{"within tolerance keeps current", 105, 100, 4, nil, 4, 0, true, ""},
		// 300/100 = 3; ready = Running and Ready: p-0, p-1 → ceil(3 × 2) = 6
		{"outside: ratio times Running and Ready pods", 300, 100, 4, threeReady, 6, 2, false,
			""},
		// from zero: ceil(250/100) = 3, readiness not looked at
		{"from zero replicas: ceil(ratio)", 250, 100, 0, nil, 3, 0, false, ""},
		// 0/100 = 0 with current 2 and 2 ready: ceil(0 × 2) = 0
		{"zero value proposes zero", 0, 100, 2, pods(2), 0, 2, false, ""},
		{"no pods to count", 300, 100, 4, nil, 0, 0, false, "unable to calculate ready " +
			"pods: no pods returned by selector while calculating replica count"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v, err := ValueReplicas(tc.usage, tc.target, tc.current, tc.pods, defaultTol)
			if tc.wantErrMessage != "" {
				assertError(t, err, tc.wantErrMessage)
				return
			}
			if err != nil || v.Proposal != tc.want || v.ReadyPods != tc.wantReady ||
				v.Within != tc.wantWithin {
				t.Fatalf("got %+v, %v; want proposal %d ready %d within %v", v, err, tc.want,
					tc.wantReady, tc.wantWithin)
			}
		})
	}
}

func TestAverageValueReplicas(t *testing.T) {
	cases := []struct {
		name       string
		usage      int64
		status     int32
		want       int32
		wantStatus int64
	}{
		// 1000 / (100 × 10) = 1.0 → keep status.replicas 10; status 1000/10 = 100
		{"within keeps status replicas", 1000, 10, 10, 100},
		// 1500 / (100 × 10) = 1.5 → ceil(1500/100) = 15; status ceil(150) = 150
		{"outside: ceil(usage / target)", 1500, 10, 15, 150},
		// 1001 / (100 × 3) = 3.34 → ceil(10.01) = 11; status ceil(333.67) = 334
		{"rounding up", 1001, 3, 11, 334},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v, err := AverageValueReplicas(tc.usage, 100, tc.status, defaultTol)
			if err != nil || v.Proposal != tc.want || v.Status != tc.wantStatus {
				t.Fatalf("got %+v, %v; want proposal %d status %d", v, err, tc.want,
					tc.wantStatus)
			}
		})
	}
}

func TestSums(t *testing.T) {
	if got := SumExternal([]int64{1, 2, 3}); got != 6 {
		t.Errorf("SumExternal = %d, want 6", got)
	}
	if got := SumExternal([]int64{math.MaxInt64 - 1, 5}); got != math.MaxInt64 {
		t.Errorf("SumExternal overflow = %d, want MaxInt64", got)
	}
	if got := sumPerPod([]int64{math.MaxInt64, 1}); got != math.MaxInt64 {
		t.Errorf("sumPerPod overflow = %d, want MaxInt64", got)
	}
}
