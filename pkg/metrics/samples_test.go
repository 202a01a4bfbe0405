package metrics

import (
	"errors"
	"testing"
	"time"

	custommetrics "k8s.io/metrics/pkg/apis/custom_metrics/v1beta2"
	resourcemetrics "k8s.io/metrics/pkg/apis/metrics/v1beta1"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8slabels "k8s.io/apimachinery/pkg/labels"
)

func TestResourceSamples(t *testing.T) {
	items := []resourcemetrics.PodMetrics{
		podMetrics("two", [3]string{"app", "100m", "10Mi"}, [3]string{"log", "20m", "1Mi"}),
		podMetrics("nomem", [3]string{"app", "50m", "10Mi"}, [3]string{"log", "5m", ""}),
		podMetrics("empty"),
	}
	items[1].Timestamp = metav1.NewTime(now.Add(-time.Minute))

	cpu, ts, err := ResourceSamples(items, nil, nil, corev1.ResourceCPU, "")
	if err != nil {
		t.Fatal(err)
	}
	// cpu: two = 100 + 20, nomem = 50 + 5; empty lists no containers → no sample
	want := map[string]int64{"two": 120, "nomem": 55}
	assertSampleValues(t, "cpu", cpu, want)
	if !ts.Equal(items[0].Timestamp.Time) {
		t.Errorf("timestamp = %v, want the first item's", ts)
	}

	// memory: nomem lacks it in one container → no sample; two = 10Mi + 1Mi in milli-bytes
	mem, _, _ := ResourceSamples(items, nil, nil, corev1.ResourceMemory, "")
	assertSampleValues(t, "memory", mem, map[string]int64{"two": 11 * 1048576 * 1000})

	// container "log": nomem's log has no memory → no sample
	logMem, _, _ := ResourceSamples(items, nil, nil, corev1.ResourceMemory, "log")
	assertSampleValues(t, "log memory", logMem, map[string]int64{"two": 1048576 * 1000})
	web, _, _ := ResourceSamples(items, nil, nil, corev1.ResourceCPU, "web")
	assertSampleValues(t, "absent container", web, map[string]int64{})
}

func TestResourceSamplesErrors(t *testing.T) {
	_, _, err := ResourceSamples(nil, errors.New("boom"), nil, "cpu", "")
	assertError(t, err, "unable to fetch metrics from resource metrics API: boom")

	_, _, err = ResourceSamples(nil, nil, nil, "cpu", "")
	assertError(t, err, "no metrics returned from resource metrics API")

	other := k8slabels.SelectorFromSet(k8slabels.Set{"app": "other"})
	items := []resourcemetrics.PodMetrics{podMetrics("a", [3]string{"app", "1m", "1Mi"})}
	_, _, err = ResourceSamples(items, nil, other, "cpu", "")
	assertError(t, err, "no metrics returned from resource metrics API")
}

func TestCustomSamples(t *testing.T) {
	list := &custommetrics.MetricValueList{Items: []custommetrics.MetricValue{
		{DescribedObject: corev1.ObjectReference{Name: "a"}, Value: resource.MustParse("2"),
			Timestamp: metav1.NewTime(now)},
		{DescribedObject: corev1.ObjectReference{Name: "b"}, Value: resource.MustParse("500m"),
			WindowSeconds: ptr(int64(90))},
	}}

	got, ts, err := CustomSamples(list, nil)
	if err != nil || !ts.Equal(now) {
		t.Fatalf("CustomSamples: %v, timestamp %v", err, ts)
	}
	if got["a"].Value != 2000 || got["a"].Window != Duration(time.Minute) {
		t.Errorf("a = %+v, want 2000 over the default 1m window", got["a"])
	}
	if got["b"].Value != 500 || got["b"].Window != Duration(90*time.Second) {
		t.Errorf("b = %+v, want 500 over 90s", got["b"])
	}

	_, _, err = CustomSamples(nil, errors.New("boom"))
	assertError(t, err, "unable to fetch metrics from custom metrics API: boom")
	_, _, err = CustomSamples(&custommetrics.MetricValueList{}, nil)
	assertError(t, err, "no metrics returned from custom metrics API")
}

func assertSampleValues(t *testing.T, what string, got Samples, want map[string]int64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: got %d samples %v, want %v", what, len(got), got, want)
	}
	for name, v := range want {
		if got[name].Value != v {
			t.Errorf("%s: %s = %d, want %d", what, name, got[name].Value, v)
		}
	}
}

func assertError(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
}
