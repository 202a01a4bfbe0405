package metrics

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	resourcemetrics "k8s.io/metrics/pkg/apis/metrics/v1beta1"
)

const benchPods = 10000

// benchFixture is 10,000 pods with a mix the controller sorts differently: most counted,
// one in 20 Pending, one in 50 without a sample, one in 100 failed.
func benchFixture() ([]*corev1.Pod, []resourcemetrics.PodMetrics) {
	ps := make([]*corev1.Pod, benchPods)
	var items []resourcemetrics.PodMetrics
	for i := range ps {
		name := fmt.Sprintf("directus-%05d", i)
		var opts []podOpt
		switch {
		case i%100 == 0:
			opts = append(opts, phase(corev1.PodFailed))
		case i%20 == 0:
			opts = append(opts, phase(corev1.PodPending))
		case i%7 == 0:
			opts = append(opts, startedAgo(2*time.Minute), ready(corev1.ConditionTrue,
				time.Minute))
		}
		ps[i] = newPod(name, opts...)
		if i%50 != 1 {
			items = append(items, podMetrics(name, [3]string{"app", fmt.Sprintf("%dm", 40+i%90),
				fmt.Sprintf("%dMi", 60+i%30)}))
		}
	}
	return ps, items
}

// cpuClock reports the process's CPU time per operation as cpu-ns/op when the benchmark ends:
// on a shared machine wall time per op also counts the time other processes held the CPU.
func cpuClock(b *testing.B) {
	start := processCPU()
	b.Cleanup(func() {
		if b.N > 0 {
			b.ReportMetric(float64(processCPU()-start)/float64(b.N), "cpu-ns/op")
		}
	})
}

func processCPU() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

func BenchmarkGroupPods(b *testing.B) {
	ps, items := benchFixture()
	s, _, _ := ResourceSamples(items, nil, nil, corev1.ResourceCPU, "")
	b.ReportAllocs()
	cpuClock(b)
	for b.Loop() {
		GroupPods(ps, s, corev1.ResourceCPU, Settings{}, now)
	}
}

func BenchmarkResourceSamples(b *testing.B) {
	_, items := benchFixture()
	b.ReportAllocs()
	cpuClock(b)
	for b.Loop() {
		_, _, _ = ResourceSamples(items, nil, nil, corev1.ResourceCPU, "")
	}
}

// BenchmarkCalculate groups 10,000 pods, sums their requests and computes the proposal.
func BenchmarkCalculate(b *testing.B) {
	ps, items := benchFixture()
	s, _, _ := ResourceSamples(items, nil, nil, corev1.ResourceCPU, "")
	in := PodMetricInput{Pods: ps, Samples: s, Resource: corev1.ResourceCPU,
		Utilization: true, Target: 70, Current: benchPods, Tolerances: defaultTol, Now: now}
	b.ReportAllocs()
	cpuClock(b)
	for b.Loop() {
		if _, err := Calculate(in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecide runs a whole sync over 10,000 pods with cpu and memory metrics, starting
// from the metrics API's PodMetrics list.
func BenchmarkDecide(b *testing.B) {
	ps, items := benchFixture()
	hpa := newHPA(2, 20000, utilizationMetric("cpu", 70), utilizationMetric("memory", 80))
	hpa.Spec.Behavior = directusBehavior()
	in := decideInput(hpa, benchPods, ps, items)
	b.ReportAllocs()
	cpuClock(b)
	for b.Loop() {
		if d := Decide(in); d.Stage != StageNormalized {
			b.Fatalf("stage %s", d.Stage)
		}
	}
}
