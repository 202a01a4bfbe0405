package metrics

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// nsSnapshot holds HPA directus over Deployment directus (3 replicas) in ns, its 3 pods, one
// pod of another namespace with the same labels, and PodMetrics for all four.
func nsSnapshot() *snapshot.Snapshot {
	snap := &snapshot.Snapshot{Taken: now,
		HPAs: []autoscalingv2.HorizontalPodAutoscaler{*newHPA(1, 10,
			utilizationMetric("cpu", 70))},
		Deployments: []appsv1.Deployment{{
			ObjectMeta: metav1.ObjectMeta{Name: "directus", Namespace: "ns"},
			Spec: appsv1.DeploymentSpec{Replicas: ptr(int32(3)),
				Selector: &metav1.LabelSelector{MatchLabels: map[string]string{
					"app": "directus"}}},
			Status: appsv1.DeploymentStatus{Replicas: 3},
		}},
	}
	for _, p := range pods(3) {
		snap.Pods = append(snap.Pods, *p)
	}
	elsewhere := newPod("p-9")
	elsewhere.Namespace = "other"
	snap.Pods = append(snap.Pods, *elsewhere)
	snap.PodMetrics = cpuMetrics("p-0", "70m", "p-1", "70m", "p-2", "70m", "p-9", "900m")
	snap.PodMetrics[3].Namespace = "other"
	return snap
}

// 210m of 300m = 70% → within tolerance; the other namespace's pod is not an extra sample.
func TestInputFromSnapshot(t *testing.T) {
	snap := nsSnapshot()
	in := InputFromSnapshot(snap, &snap.HPAs[0], Settings{})

	if in.Scale != (Scale{SpecReplicas: 3, StatusReplicas: 3, Selector: "app=directus"}) ||
		len(in.Pods) != 3 || !in.Now.Equal(now) {
		t.Fatalf("input: scale %+v, %d pods", in.Scale, len(in.Pods))
	}
	d := Decide(in)
	m := d.Metrics[0]
	if m.Pods.Utilization != 70 || len(m.Pods.Grouping.Extra) != 0 || d.Desired != 3 {
		t.Errorf("utilization %d extra %v desired %d", m.Pods.Utilization,
			m.Pods.Grouping.Extra, d.Desired)
	}
	if len(in.History.Recommendations) == 0 {
		t.Error("no history")
	}
}

func TestInputFromSnapshotFailures(t *testing.T) {
	snap := nsSnapshot()
	snap.Deployments = nil
	d := Decide(InputFromSnapshot(snap, &snap.HPAs[0], Settings{}))
	want := `deployments.apps "directus" not found`
	if d.Stage != StageScale || !hasEvent(d, "FailedGetScale", want) {
		t.Errorf("missing target: stage %s events %+v", d.Stage, d.Events)
	}
	assertCondition(t, d, autoscalingv2.AbleToScale, corev1.ConditionFalse, "FailedGetScale",
		"the HPA controller was unable to get the target's current scale: "+want)

	// the user may not list pod metrics: unknown, not the controller's failure
	snap = nsSnapshot()
	snap.PodMetrics = nil
	snap.MetricsError = apierrors.NewForbidden(schema.GroupResource{Group: "metrics.k8s.io",
		Resource: "pods"}, "", nil)
	d = Decide(InputFromSnapshot(snap, &snap.HPAs[0], Settings{}))
	if !d.Metrics[0].NotObserved || len(d.Uncertain) == 0 || len(d.Events) != 0 {
		t.Errorf("forbidden metrics: %+v uncertain %v", d.Metrics[0], d.Uncertain)
	}

	// another HPA over a Deployment with the same selector
	snap = nsSnapshot()
	other := snap.Deployments[0]
	other.Name = "copy"
	snap.Deployments = append(snap.Deployments, other)
	rival := *newHPA(1, 5)
	rival.Name, rival.Spec.ScaleTargetRef.Name = "rival", "copy"
	snap.HPAs = append(snap.HPAs, rival)
	d = Decide(InputFromSnapshot(snap, &snap.HPAs[0], Settings{}))
	c := conditionOf(d, autoscalingv2.ScalingActive)
	if c.Reason != "AmbiguousSelector" || !strings.Contains(c.Message, "ns/rival") {
		t.Errorf("two HPAs: %+v", c)
	}
}

func TestWhatIf(t *testing.T) {
	hpa := newHPA(1, 20, utilizationMetric("cpu", 70), utilizationMetric("memory", 80))
	in := decideInput(hpa, 3, pods(3), cpuMetrics("p-0", "70m", "p-1", "70m"))

	// p-2 has no sample and stays missing; p-0 and p-1 at 150% of 100m = 150m, then p-1 at
	// 400m: 550m of 200m = 275% → 3.929 > 1; p-2 counts as 0: 550/300 = 183% → 2.614;
	// ceil(2.614 × 3) = 8; from 5 replicas the cap is 10
	w := WhatIf{Utilization: map[corev1.ResourceName]int64{corev1.ResourceCPU: 150},
		CPU: map[string]int64{"p-1": 400}, Replicas: ptr(int32(5))}
	changed, err := w.Apply(in)
	if err != nil {
		t.Fatal(err)
	}
	d := Decide(changed)
	if d.Current != 5 || d.Metrics[0].Pods.Utilization != 275 || d.Metrics[0].Proposal != 8 ||
		d.Desired != 8 || len(d.WhatIf) != 3 {
		t.Errorf("what-if: current %d util %d proposal %d desired %d notes %v", d.Current,
			d.Metrics[0].Pods.Utilization, d.Metrics[0].Proposal, d.Desired, d.WhatIf)
	}
	if in.Scale.SpecReplicas != 3 {
		t.Error("Apply changed its input")
	}

	_, err = WhatIf{CPU: map[string]int64{"nope": 1}}.Apply(in)
	assertError(t, err, `pod "nope" is not one of the 3 pods the HPA counts (selector `+
		`app=directus)`)
}

// With the metrics API down, a utilization what-if gives every pod a sample.
func TestWhatIfWithoutMetrics(t *testing.T) {
	hpa := newHPA(1, 20, utilizationMetric("cpu", 70))
	in := decideInput(hpa, 2, pods(2), nil)
	in.Source = &ObservedSource{PodMetricsErr: errFuzz}

	changed, _ := WhatIf{Utilization: map[corev1.ResourceName]int64{"cpu": 140}}.Apply(in)
	d := Decide(changed)
	// 140% of 70 → 2.0 → ceil(2 × 2) = 4
	if !d.Metrics[0].Valid || d.Metrics[0].Proposal != 4 {
		t.Errorf("metric %+v", d.Metrics[0])
	}
	if got := Decide(in); got.Metrics[0].Valid {
		t.Error("without the what-if the metric should fail")
	}
}
