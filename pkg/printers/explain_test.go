package printers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	resourcemetrics "k8s.io/metrics/pkg/apis/metrics/v1beta1"

	"github.com/kubectl-directus/kubectl-directus/pkg/metrics"
)

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func fixturePod(name string, phase corev1.PodPhase) *corev1.Pod {
	start := metav1.NewTime(now.Add(-time.Hour))
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "web",
			Labels: map[string]string{"app": "directus"}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "directus",
			Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
				corev1.ResourceCPU:    resource.MustParse("250m"),
				corev1.ResourceMemory: resource.MustParse("512Mi")}}}}},
		Status: corev1.PodStatus{Phase: phase, StartTime: &start,
			Conditions: []corev1.PodCondition{{Type: corev1.PodReady,
				Status: corev1.ConditionTrue, LastTransitionTime: start}}},
	}
}

func fixtureMetrics(name, cpu, memory string) resourcemetrics.PodMetrics {
	return resourcemetrics.PodMetrics{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "web",
			Labels: map[string]string{"app": "directus"}},
		Timestamp: metav1.NewTime(now.Add(-10 * time.Second)),
		Window:    metav1.Duration{Duration: 15 * time.Second},
		Containers: []resourcemetrics.ContainerMetrics{{Name: "directus",
			Usage: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu),
				corev1.ResourceMemory: resource.MustParse(memory)}}},
	}
}

func utilization(name corev1.ResourceName, target int32) autoscalingv2.MetricSpec {
	return autoscalingv2.MetricSpec{Type: autoscalingv2.ResourceMetricSourceType,
		Resource: &autoscalingv2.ResourceMetricSource{Name: name, Target: autoscalingv2.
			MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: &target}}}
}

func ptr[T any](v T) *T { return &v }

// directusDecision is the product's HPA (cpu 70 %, memory 80 %, up 300 s Pods 2/60 s, down
// 600 s Pods 1/120 s) on 3 replicas: two pods busy, one Pending, one more without metrics.
func directusDecision(t *testing.T, whatIf metrics.WhatIf) metrics.Decision {
	t.Helper()
	hpa := &autoscalingv2.HorizontalPodAutoscaler{
		ObjectMeta: metav1.ObjectMeta{Name: "directus", Namespace: "web",
			CreationTimestamp: metav1.NewTime(now.Add(-2 * time.Hour))},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			MinReplicas: ptr(int32(2)), MaxReplicas: 10,
			Metrics: []autoscalingv2.MetricSpec{utilization("cpu", 70),
				utilization("memory", 80)},
			Behavior: &autoscalingv2.HorizontalPodAutoscalerBehavior{
				ScaleUp: &autoscalingv2.HPAScalingRules{
					StabilizationWindowSeconds: ptr(int32(300)),
					Policies: []autoscalingv2.HPAScalingPolicy{{
						Type: autoscalingv2.PodsScalingPolicy, Value: 2, PeriodSeconds: 60}}},
				ScaleDown: &autoscalingv2.HPAScalingRules{
					StabilizationWindowSeconds: ptr(int32(600)),
					Policies: []autoscalingv2.HPAScalingPolicy{{
						Type: autoscalingv2.PodsScalingPolicy, Value: 1, PeriodSeconds: 120}}},
			},
		},
	}
	pods := []*corev1.Pod{fixturePod("directus-a", corev1.PodRunning),
		fixturePod("directus-b", corev1.PodRunning), fixturePod("directus-c", corev1.PodPending),
		fixturePod("directus-d", corev1.PodRunning)}
	items := []resourcemetrics.PodMetrics{fixtureMetrics("directus-a", "400m", "300Mi"),
		fixtureMetrics("directus-b", "380m", "280Mi")}
	leader := now.Add(-time.Hour)
	in := metrics.Input{HPA: hpa, Now: now, Pods: pods,
		Scale:  metrics.Scale{SpecReplicas: 4, StatusReplicas: 4, Selector: "app=directus"},
		Source: &metrics.ObservedSource{PodMetrics: items},
		History: metrics.HistoryFromEvents(metrics.EventHistoryInput{HPA: hpa, Current: 4,
			LeaderSince: &leader, Now: now}),
	}
	in, err := whatIf.Apply(in)
	if err != nil {
		t.Fatal(err)
	}
	return metrics.Decide(in)
}

// Each golden file is the whole text for one decision. The numbers in it are worked by hand:
//
// busy.txt: cpu 780m of 500m = 156% → 2.229; Pending directus-c and missing directus-d count
// as 0: 780/1000 = 78% → 1.114; ceil(1.114 × 4) = 5. memory 580Mi of 1Gi = 56% → 0.700;
// directus-d filled with 100% of 512Mi: 1092/1536 = 71% → 0.887; ceil(0.887 × 3) = 3. The
// up window holds recommendations of 4 (the replica count at rest), so 5 is held at 4.
//
// whatif.txt: cpu at 30% of 250m = 75m per sampled pod: 150/500 = 30% → 0.429; the fill
// gives 400/750 = 53% → 0.757 → 3; memory as above → 3. From 6 replicas the down window's
// highest recommendation is 4, and Pods 1 per 120 s allows only 5.
//
// blocked.txt: cpu 80m of 550m (directus-b has a 50m sidecar) = 14% → 0.2 → 1, a
// scale-down; the sidecar has no memory request, so memory is invalid and nothing scales.
func TestExplainText(t *testing.T) {
	cases := []struct {
		golden string
		d      metrics.Decision
	}{
		{"busy.txt", directusDecision(t, metrics.WhatIf{})},
		{"whatif.txt", directusDecision(t, metrics.WhatIf{Replicas: ptr(int32(6)),
			Utilization: map[corev1.ResourceName]int64{corev1.ResourceCPU: 30}})},
		{"blocked.txt", blockedDecision(t)},
	}
	for _, tc := range cases {
		t.Run(tc.golden, func(t *testing.T) {
			var buf bytes.Buffer
			if err := (ExplainPrinter{}).Print(&buf, &tc.d); err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(filepath.Join("testdata", "explain", tc.golden))
			if err != nil {
				t.Fatal(err)
			}
			if got := buf.String(); got != string(want) {
				t.Errorf("text differs from %s:\n%s", tc.golden, diffLines(string(want), got))
			}
		})
	}
}

// diffLines shows the first differing line of two texts.
func diffLines(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d\nwant: %q\ngot:  %q", i+1, wl, gl)
		}
	}
	return "(same lines)"
}

func TestExplainJSONAndYAML(t *testing.T) {
	d := directusDecision(t, metrics.WhatIf{})

	var buf bytes.Buffer
	if err := (ExplainPrinter{Output: "json"}).Print(&buf, &d); err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatalf("output is not JSON: %v", err)
	}
	norm := back["normalization"].(map[string]any)
	stab := norm["stabilization"].(map[string]any)
	if back["desired"] != 4.0 || back["hpa"] != "web/directus" || stab["upWindow"] != "5m0s" {
		t.Errorf("JSON fields: desired %v hpa %v upWindow %v", back["desired"], back["hpa"],
			stab["upWindow"])
	}

	buf.Reset()
	if err := (ExplainPrinter{Output: "yaml"}).Print(&buf, &d); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"hpa: web/directus\n", "desired: 4\n", "upWindow: 5m0s\n"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("YAML lacks %q", want)
		}
	}
}

func TestExplainUnknownFormat(t *testing.T) {
	d := directusDecision(t, metrics.WhatIf{})
	err := (ExplainPrinter{Output: "table"}).Print(&bytes.Buffer{}, &d)
	if err == nil || err.Error() != `unknown output format "table": use one of text, json, yaml` {
		t.Errorf("error = %v", err)
	}
}

func blockedDecision(t *testing.T) metrics.Decision {
	hpa := &autoscalingv2.HorizontalPodAutoscaler{
		ObjectMeta: metav1.ObjectMeta{Name: "directus", Namespace: "web",
			CreationTimestamp: metav1.NewTime(now.Add(-2 * time.Minute))},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			MinReplicas: ptr(int32(1)), MaxReplicas: 10,
			Metrics: []autoscalingv2.MetricSpec{utilization("cpu", 70),
				utilization("memory", 80)},
		},
	}
	a, b := fixturePod("directus-a", corev1.PodRunning), fixturePod("directus-b", corev1.PodRunning)
	b.Spec.InitContainers = []corev1.Container{{Name: "proxy", RestartPolicy: ptr(corev1.ContainerRestartPolicyAlways),
		Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
			corev1.ResourceCPU: resource.MustParse("50m")}}}}
	items := []resourcemetrics.PodMetrics{fixtureMetrics("directus-a", "40m", "300Mi"),
		fixtureMetrics("directus-b", "40m", "280Mi")}
	in := metrics.Input{HPA: hpa, Now: now, Pods: []*corev1.Pod{a, b},
		Scale:   metrics.Scale{SpecReplicas: 2, StatusReplicas: 2, Selector: "app=directus"},
		Source:  &metrics.ObservedSource{PodMetrics: items},
		History: metrics.HistoryFromEvents(metrics.EventHistoryInput{HPA: hpa, Current: 2, Now: now}),
	}
	return metrics.Decide(in)
}

// The JSON output reads back into a Decision with the same figures.
func TestExplainJSONRoundTrip(t *testing.T) {
	d := directusDecision(t, metrics.WhatIf{})
	var buf bytes.Buffer
	if err := (ExplainPrinter{Output: "json"}).Print(&buf, &d); err != nil {
		t.Fatal(err)
	}
	var back metrics.Decision
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.Desired != d.Desired || back.Normalization.Stabilization.UpWindow !=
		d.Normalization.Stabilization.UpWindow || len(back.Metrics) != len(d.Metrics) {
		t.Errorf("round trip changed the decision: %+v", back)
	}
}
