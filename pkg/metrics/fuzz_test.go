package metrics

import (
	"encoding/binary"
	"fmt"
	"testing"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// FuzzCalculator builds an HPA, its pods, samples and history from arbitrary bytes, runs
// Decide and checks that nothing panics and no count leaves its range.
func FuzzCalculator(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("\x04\x02\x0a\x46\x03\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09"))
	f.Add([]byte("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := &fuzzReader{data: data}
		in, specValid := fuzzInput(r)
		d := Decide(in)
		checkDecision(t, in, d, specValid)
	})
}

func checkDecision(t *testing.T, in Input, d Decision, specValid bool) {
	t.Helper()
	for _, m := range d.Metrics {
		if m.Valid && m.Proposal < 0 {
			t.Fatalf("metric %s proposed %d", m.Name, m.Proposal)
		}
	}
	if d.Desired < 0 {
		t.Fatalf("desired %d < 0", d.Desired)
	}
	if !d.Rescale && d.Desired != d.Current {
		t.Fatalf("no rescale but desired %d != current %d", d.Desired, d.Current)
	}
	if specValid && d.Rescale && (d.Desired < d.Min || d.Desired > d.Max) {
		t.Fatalf("rescale to %d outside [%d, %d] (stage %s)", d.Desired, d.Min, d.Max, d.Stage)
	}
	for _, next := range []*NextScale{d.NextScaleUp, d.NextScaleDown} {
		if next != nil && next.Possible && next.At.Before(in.Now) {
			t.Fatalf("next scale at %s, before now", next.At)
		}
	}
}

// fuzzReader hands out values from the fuzz data, then zeros.
type fuzzReader struct {
	data []byte
	pos  int
}

func (r *fuzzReader) byte() byte {
	if r.pos >= len(r.data) {
		return 0
	}
	r.pos++
	return r.data[r.pos-1]
}

func (r *fuzzReader) intn(n int) int { return int(r.byte()) % n }

func (r *fuzzReader) bool() bool { return r.byte()&1 == 1 }

// int64 is sometimes small, sometimes anything.
func (r *fuzzReader) int64() int64 {
	if r.byte() < 200 {
		return int64(r.byte()) * int64(r.byte()+1)
	}
	var b [8]byte
	for i := range b {
		b[i] = r.byte()
	}
	return int64(binary.LittleEndian.Uint64(b[:]))
}

func (r *fuzzReader) int32() int32 { return int32(r.int64()) }

func (r *fuzzReader) duration() time.Duration {
	return time.Duration(r.intn(240)) * 15 * time.Second
}

func fuzzInput(r *fuzzReader) (Input, bool) {
	minR, maxR := int32(r.intn(12)), int32(r.intn(30))
	specValid := maxR >= 1 && maxR >= minR
	hpa := newHPA(minR, maxR)
	for range r.intn(4) {
		hpa.Spec.Metrics = append(hpa.Spec.Metrics, fuzzMetric(r))
	}
	if r.bool() {
		hpa.Spec.Behavior = fuzzBehavior(r)
	}
	if r.bool() {
		hpa.Status.Conditions = []autoscalingv2.HorizontalPodAutoscalerCondition{{
			Type: autoscalingv2.ScaledToZero, Status: corev1.ConditionTrue}}
	}

	current := int32(r.intn(40))
	ps, items := fuzzPods(r)
	in := Input{
		HPA: hpa,
		Scale: Scale{SpecReplicas: current, StatusReplicas: int32(r.intn(40)),
			Selector: []string{"app=directus", "", "app in (", "app"}[r.intn(4)]},
		Pods: ps,
		Source: valueSource{failingSource: failingSource{err: errFuzz}, object: r.int64(),
			external: []int64{r.int64(), r.int64()}},
		History:  fuzzHistory(r),
		Settings: Settings{Tolerance: float64(r.intn(50)) / 100},
		Now:      now,
	}
	if r.bool() {
		in.Source = &ObservedSource{PodMetrics: items}
	}
	return in, specValid
}

var errFuzz = fmt.Errorf("fuzz: unavailable")

func fuzzMetric(r *fuzzReader) autoscalingv2.MetricSpec {
	target := autoscalingv2.MetricTarget{}
	switch r.intn(3) {
	case 0:
		target.AverageUtilization = ptr(r.int32())
	case 1:
		target.Type, target.AverageValue = autoscalingv2.AverageValueMetricType,
			resource.NewMilliQuantity(r.int64(), resource.DecimalSI)
	default:
		target.Type, target.Value = autoscalingv2.ValueMetricType,
			resource.NewMilliQuantity(r.int64(), resource.DecimalSI)
	}
	name := []corev1.ResourceName{"cpu", "memory"}[r.intn(2)]
	id := autoscalingv2.MetricIdentifier{Name: "m"}
	switch r.intn(6) {
	case 0:
		return autoscalingv2.MetricSpec{Type: autoscalingv2.ResourceMetricSourceType,
			Resource: &autoscalingv2.ResourceMetricSource{Name: name, Target: target}}
	case 1:
		return autoscalingv2.MetricSpec{Type: autoscalingv2.ContainerResourceMetricSourceType,
			ContainerResource: &autoscalingv2.ContainerResourceMetricSource{Name: name,
				Container: "app", Target: target}}
	case 2:
		return autoscalingv2.MetricSpec{Type: autoscalingv2.PodsMetricSourceType,
			Pods: &autoscalingv2.PodsMetricSource{Metric: id, Target: target}}
	case 3:
		return autoscalingv2.MetricSpec{Type: autoscalingv2.ObjectMetricSourceType,
			Object: &autoscalingv2.ObjectMetricSource{Metric: id, Target: target}}
	case 4:
		return autoscalingv2.MetricSpec{Type: autoscalingv2.ExternalMetricSourceType,
			External: &autoscalingv2.ExternalMetricSource{Metric: id, Target: target}}
	}
	return autoscalingv2.MetricSpec{Type: "Bogus"}
}

func fuzzBehavior(r *fuzzReader) *autoscalingv2.HorizontalPodAutoscalerBehavior {
	rules := func() *autoscalingv2.HPAScalingRules {
		if r.bool() {
			return nil
		}
		sel := []autoscalingv2.ScalingPolicySelect{"Max", "Min", "Disabled"}[r.intn(3)]
		rules := &autoscalingv2.HPAScalingRules{SelectPolicy: &sel,
			StabilizationWindowSeconds: ptr(int32(r.intn(250)) * 15)}
		for range r.intn(3) {
			kind := []autoscalingv2.HPAScalingPolicyType{"Pods", "Percent"}[r.intn(2)]
			rules.Policies = append(rules.Policies, autoscalingv2.HPAScalingPolicy{
				Type: kind, Value: r.int32(), PeriodSeconds: int32(r.intn(250)) * 8})
		}
		if r.bool() {
			rules.Tolerance = resource.NewMilliQuantity(int64(r.intn(250)), resource.DecimalSI)
		}
		return rules
	}
	return &autoscalingv2.HorizontalPodAutoscalerBehavior{ScaleUp: rules(), ScaleDown: rules()}
}

func fuzzHistory(r *fuzzReader) History {
	var h History
	for range r.intn(8) {
		h.Recommendations = append(h.Recommendations,
			Recommendation{Replicas: int32(r.intn(40)), Time: now.Add(-r.duration())})
	}
	for range r.intn(4) {
		e := ScaleEvent{Change: int32(r.intn(10)), Time: now.Add(-r.duration())}
		if r.bool() {
			h.ScaleUps = append(h.ScaleUps, e)
		} else {
			h.ScaleDowns = append(h.ScaleDowns, e)
		}
	}
	return h
}
