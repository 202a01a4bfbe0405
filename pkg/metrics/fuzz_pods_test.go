package metrics

import (
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	resourcemetrics "k8s.io/metrics/pkg/apis/metrics/v1beta1"
)

func fuzzPods(r *fuzzReader) ([]*corev1.Pod, []resourcemetrics.PodMetrics) {
	var ps []*corev1.Pod
	var items []resourcemetrics.PodMetrics
	n := r.intn(24)
	for i := range n {
		pod := fuzzPod(r, fmt.Sprintf("p-%d", i))
		ps = append(ps, pod)
		if r.intn(4) != 0 {
			items = append(items, fuzzPodMetrics(r, pod.Name))
		}
	}
	if r.bool() {
		items = append(items, fuzzPodMetrics(r, "ghost"))
	}
	return ps, items
}

func fuzzPod(r *fuzzReader, name string) *corev1.Pod {
	phases := []corev1.PodPhase{corev1.PodRunning, corev1.PodPending, corev1.PodFailed,
		corev1.PodSucceeded, corev1.PodUnknown}
	opts := []podOpt{phase(phases[r.intn(len(phases))]),
		startedAgo(r.duration()),
		containers(fuzzContainer(r, "app"), fuzzContainer(r, "log"))}
	switch r.intn(4) {
	case 0:
		opts = append(opts, noReadyCondition())
	case 1:
		opts = append(opts, ready(corev1.ConditionFalse, r.duration()))
	default:
		opts = append(opts, ready(corev1.ConditionTrue, r.duration()))
	}
	if r.intn(8) == 0 {
		opts = append(opts, deleting())
	}
	if r.intn(8) == 0 {
		opts = append(opts, noStartTime())
	}
	if r.intn(6) == 0 {
		opts = append(opts, sidecars(fuzzContainer(r, "proxy")))
	}
	if r.intn(8) == 0 {
		opts = append(opts, podLevel("250m", ""))
	}
	if r.intn(8) == 0 {
		opts = append(opts, withLabels("app", "other"))
	}
	return newPod(name, opts...)
}

func fuzzContainer(r *fuzzReader, name string) corev1.Container {
	c := corev1.Container{Name: name, Resources: corev1.ResourceRequirements{
		Requests: corev1.ResourceList{}}}
	if r.intn(5) != 0 {
		c.Resources.Requests[corev1.ResourceCPU] = *resource.NewMilliQuantity(r.int64(),
			resource.DecimalSI)
	}
	if r.intn(5) != 0 {
		c.Resources.Requests[corev1.ResourceMemory] = *resource.NewQuantity(r.int64(),
			resource.BinarySI)
	}
	return c
}

func fuzzPodMetrics(r *fuzzReader, name string) resourcemetrics.PodMetrics {
	m := podMetrics(name)
	m.Timestamp = metav1.NewTime(now.Add(-time.Duration(r.intn(120)) * time.Second))
	for _, c := range []string{"app", "log"} {
		usage := corev1.ResourceList{}
		if r.intn(6) != 0 {
			usage[corev1.ResourceCPU] = *resource.NewMilliQuantity(r.int64(), resource.DecimalSI)
		}
		if r.intn(6) != 0 {
			usage[corev1.ResourceMemory] = *resource.NewQuantity(r.int64(), resource.BinarySI)
		}
		m.Containers = append(m.Containers, resourcemetrics.ContainerMetrics{Name: c,
			Usage: usage})
	}
	return m
}
