package explain

import (
	"fmt"
	"math/rand"
	"strings"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	resourcemetrics "k8s.io/metrics/pkg/apis/metrics/v1beta1"

	"github.com/kubectl-directus/kubectl-directus/pkg/metrics"
)

// Every pod requests this much; usages are drawn around it.
const (
	requestCPU    = 100 // millicores
	requestMemory = 200 // MiB
)

// scenario is one generated case: a Deployment whose pods use the given cpu and memory, extra
// pods with the same labels that stay Pending (unready to the HPA) or run on a node whose
// metrics cannot be scraped (missing to the HPA), and an HPA over it.
type scenario struct {
	Name      string
	CPU       []int64 // millicores per Deployment pod
	Memory    []int64 // MiB per Deployment pod
	Pending   int
	Dark      int
	CPUTarget int32
	MemTarget int32 // 0: no memory metric
	Min, Max  int32
	// FastDown gives the HPA a behavior without windows, so the first sync may scale down.
	FastDown bool
}

func (s scenario) String() string {
	return fmt.Sprintf("%s: cpu %v memory %v pending %d dark %d target cpu %d%% mem %d%% "+
		"min %d max %d fastDown %v", s.Name, s.CPU, s.Memory, s.Pending, s.Dark, s.CPUTarget,
		s.MemTarget, s.Min, s.Max, s.FastDown)
}

// generate draws n scenarios from seed, each robust to the ±2m jitter metrics-server adds
// to cpu rates (a knife-edge case would test the jitter, not the calculator).
func generate(seed int64, n int) ([]scenario, int) {
	rng := rand.New(rand.NewSource(seed))
	var out []scenario
	redrawn := 0
	for len(out) < n {
		s := draw(rng, fmt.Sprintf("s%02d", len(out)))
		if !robust(s) {
			redrawn++
			continue
		}
		out = append(out, s)
	}
	return out, redrawn
}

func draw(rng *rand.Rand, name string) scenario {
	replicas := 1 + rng.Intn(5)
	s := scenario{Name: name, CPUTarget: []int32{50, 70, 90}[rng.Intn(3)]}
	// a load level per scenario, so that some scale down, some hold and some scale up
	cpuLevel := []float64{0.1, 0.2, 0.3, 0.5, 0.8, 1.1, 1.6, 2.4}[rng.Intn(8)]
	memLevel := []float64{0.1, 0.2, 0.4, 0.7, 1.0, 1.3}[rng.Intn(6)]
	for range replicas {
		spread := 0.7 + 0.6*rng.Float64()
		s.CPU = append(s.CPU, max(5, int64(cpuLevel*spread*requestCPU)))
		s.Memory = append(s.Memory, max(8, int64(memLevel*(0.7+0.6*rng.Float64())*requestMemory)))
	}
	if rng.Intn(4) != 0 {
		s.MemTarget = []int32{60, 80}[rng.Intn(2)]
	}
	s.Pending = []int{0, 0, 1, 2}[rng.Intn(4)]
	s.Dark = []int{0, 0, 1}[rng.Intn(3)]
	s.Min = int32(1 + rng.Intn(min(2, replicas)))
	s.Max = int32(replicas) + 1 + int32(rng.Intn(8))
	s.FastDown = rng.Intn(3) != 0
	return s
}

// robust reports whether the scenario's decision survives cpu usages 2m lower or higher.
func robust(s scenario) bool {
	want := nominal(s, 0)
	return nominal(s, -2) == want && nominal(s, 2) == want
}

// nominal predicts the first sync from the scenario's own numbers, cpu shifted by jitter.
func nominal(s scenario, jitter int64) int32 {
	now := time.Now()
	hpa := s.hpa("ns")
	hpa.CreationTimestamp = metav1.NewTime(now)
	var pods []*corev1.Pod
	var items []resourcemetrics.PodMetrics
	for i := range s.CPU {
		name := fmt.Sprintf("app-%d", i)
		pods = append(pods, syntheticPod(name, corev1.PodRunning, now))
		items = append(items, syntheticMetrics(name, s.CPU[i]+jitter, s.Memory[i], now))
	}
	for i := range s.Pending {
		pods = append(pods, syntheticPod(fmt.Sprintf("pending-%d", i), corev1.PodPending, now))
	}
	for i := range s.Dark {
		pods = append(pods, syntheticPod(fmt.Sprintf("dark-%d", i), corev1.PodRunning, now))
	}
	current := int32(len(s.CPU))
	in := metrics.Input{HPA: hpa, Pods: pods, Now: now,
		Scale:  metrics.Scale{SpecReplicas: current, StatusReplicas: current, Selector: "app=app"},
		Source: &metrics.ObservedSource{PodMetrics: items},
		History: metrics.HistoryFromEvents(metrics.EventHistoryInput{HPA: hpa,
			Current: current, Now: now}),
	}
	return metrics.Decide(in).Desired
}

func syntheticPod(name string, phase corev1.PodPhase, now time.Time) *corev1.Pod {
	start := metav1.NewTime(now.Add(-2 * time.Minute))
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"app": "app"}},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{appContainer()}},
		Status:     corev1.PodStatus{Phase: phase},
	}
	if phase == corev1.PodRunning {
		pod.Status.StartTime = &start
		pod.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady,
			Status: corev1.ConditionTrue, LastTransitionTime: start}}
	}
	return pod
}

func syntheticMetrics(name string, cpu, memory int64, now time.Time) resourcemetrics.PodMetrics {
	return resourcemetrics.PodMetrics{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"app": "app"}},
		Timestamp:  metav1.NewTime(now.Add(-5 * time.Second)),
		Window:     metav1.Duration{Duration: 15 * time.Second},
		Containers: []resourcemetrics.ContainerMetrics{{Name: "app", Usage: corev1.ResourceList{
			corev1.ResourceCPU:    *resource.NewMilliQuantity(cpu, resource.DecimalSI),
			corev1.ResourceMemory: *resource.NewQuantity(memory<<20, resource.BinarySI)}}},
	}
}

func appContainer() corev1.Container {
	return corev1.Container{Name: "app", Image: "registry.invalid/app:1",
		Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
			corev1.ResourceCPU:    *resource.NewMilliQuantity(requestCPU, resource.DecimalSI),
			corev1.ResourceMemory: *resource.NewQuantity(requestMemory<<20, resource.BinarySI)}}}
}

// hpa is the scenario's HPA over Deployment app.
func (s scenario) hpa(ns string) *autoscalingv2.HorizontalPodAutoscaler {
	hpa := &autoscalingv2.HorizontalPodAutoscaler{
		ObjectMeta: metav1.ObjectMeta{Name: "app", Namespace: ns},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1",
				Kind: "Deployment", Name: "app"},
			MinReplicas: &s.Min, MaxReplicas: s.Max,
			Metrics: []autoscalingv2.MetricSpec{utilization(corev1.ResourceCPU, s.CPUTarget)},
		},
	}
	if s.MemTarget > 0 {
		hpa.Spec.Metrics = append(hpa.Spec.Metrics,
			utilization(corev1.ResourceMemory, s.MemTarget))
	}
	if s.FastDown {
		zero := int32(0)
		hpa.Spec.Behavior = &autoscalingv2.HorizontalPodAutoscalerBehavior{
			ScaleDown: &autoscalingv2.HPAScalingRules{StabilizationWindowSeconds: &zero},
		}
	}
	return hpa
}

func utilization(name corev1.ResourceName, target int32) autoscalingv2.MetricSpec {
	return autoscalingv2.MetricSpec{Type: autoscalingv2.ResourceMetricSourceType,
		Resource: &autoscalingv2.ResourceMetricSource{Name: name,
			Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType,
				AverageUtilization: &target}}}
}

// manifest is the scenario's Deployment and extra pods.
func (s scenario) manifest(darkNode string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `apiVersion: apps/v1
kind: Deployment
metadata: {name: app}
spec:
  replicas: %d
  selector: {matchLabels: {app: app}}
  template:
    metadata: {labels: {app: app}}
    spec:
      containers:
      - {name: app, image: "registry.invalid/app:1", resources: {requests: {cpu: %dm, memory: %dMi}}}
`, len(s.CPU), requestCPU, requestMemory)
	for i := range s.Pending {
		b.WriteString(extraPod(fmt.Sprintf("pending-%d", i), "nowhere"))
	}
	for i := range s.Dark {
		b.WriteString(extraPod(fmt.Sprintf("dark-%d", i), darkNode))
	}
	return b.String()
}

// extraPod is a bare pod with the Deployment's labels, pinned to a node by hostname (and
// tolerating the dark node's taint).
func extraPod(name, node string) string {
	return fmt.Sprintf(`---
apiVersion: v1
kind: Pod
metadata: {name: %s, labels: {app: app}}
spec:
  nodeSelector: {kubernetes.io/hostname: %s}
  tolerations: [{key: %s, operator: Exists, effect: NoSchedule}]
  containers:
  - {name: app, image: "registry.invalid/app:1", resources: {requests: {cpu: %dm, memory: %dMi}}}
`, name, node, darkNode, requestCPU, requestMemory)
}
