package view

import (
	"fmt"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// benchSnapshot is one namespace with hpas HPAs, each over a Deployment of pods pods with
// cpu and memory samples.
func benchSnapshot(hpas, pods int) *snapshot.Snapshot {
	now := time.Date(2026, 1, 2, 15, 0, 0, 0, time.UTC)
	snap := &snapshot.Snapshot{Taken: now, Scope: snapshot.Scope{Namespace: "bench"}}
	requests := corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"),
		corev1.ResourceMemory: resource.MustParse("256Mi")}
	for h := range hpas {
		name := fmt.Sprintf("app-%04d", h)
		labels := map[string]string{"app": name}
		snap.Deployments = append(snap.Deployments, appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "bench"},
			Spec: appsv1.DeploymentSpec{Replicas: ptrTo(int32(pods)),
				Selector: &metav1.LabelSelector{MatchLabels: labels}}})
		snap.HPAs = append(snap.HPAs, benchHPA(name))
		for p := range pods {
			snap.Pods = append(snap.Pods, benchPod(fmt.Sprintf("%s-%03d", name, p), labels,
				requests, now))
			snap.PodMetrics = append(snap.PodMetrics, benchSample(
				fmt.Sprintf("%s-%03d", name, p), labels, now))
		}
	}
	return snap
}

func ptrTo[T any](v T) *T { return &v }

func benchHPA(name string) autoscalingv2.HorizontalPodAutoscaler {
	hpa := cpuHPA(healthy(), ptrTo(int32(50)))
	hpa.Name, hpa.Namespace = name, "bench"
	hpa.Spec.MaxReplicas = 20
	hpa.Spec.ScaleTargetRef = autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1",
		Kind: "Deployment", Name: name}
	return *hpa
}

func benchPod(name string, labels map[string]string, requests corev1.ResourceList,
	now time.Time) corev1.Pod {
	start := metav1.NewTime(now.Add(-time.Hour))
	return corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "bench", Labels: labels},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app",
			Resources: corev1.ResourceRequirements{Requests: requests}}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, StartTime: &start,
			Conditions: []corev1.PodCondition{{Type: corev1.PodReady,
				Status: corev1.ConditionTrue, LastTransitionTime: start}}},
	}
}

func benchSample(name string, labels map[string]string, now time.Time) metricsv1beta1.PodMetrics {
	return metricsv1beta1.PodMetrics{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "bench", Labels: labels},
		Timestamp:  metav1.NewTime(now.Add(-10 * time.Second)),
		Window:     metav1.Duration{Duration: 15 * time.Second},
		Containers: []metricsv1beta1.ContainerMetrics{{Name: "app", Usage: corev1.ResourceList{
			corev1.ResourceCPU: resource.MustParse("60m"), corev1.ResourceMemory: resource.MustParse("100Mi"),
		}}},
	}
}

// BenchmarkTop builds the top report of one namespace with many HPAs of 10 pods each, as
// one refresh does after its list calls.
func BenchmarkTop(b *testing.B) {
	for _, hpas := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("hpas=%d/pods=%d", hpas, hpas*10), func(b *testing.B) {
			snap := benchSnapshot(hpas, 10)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				report := Top(snap, SortByCPU)
				if len(report.HPAs) != hpas {
					b.Fatalf("got %d HPAs", len(report.HPAs))
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*hpas), "µs/hpa")
		})
	}
}

// BenchmarkStatus builds the status report of the same namespaces.
func BenchmarkStatus(b *testing.B) {
	snap := benchSnapshot(1000, 10)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		_ = Status(snap)
	}
}
