package metrics

import (
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	resourcemetrics "k8s.io/metrics/pkg/apis/metrics/v1beta1"
)

// now is the fixed time every test decides at.
var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

type podOpt func(*corev1.Pod)

// newPod is a Running pod started an hour ago, Ready since 50 minutes ago, labelled
// app=directus, with one container "app" requesting 100m cpu and 100Mi memory.
func newPod(name string, opts ...podOpt) *corev1.Pod {
	start := metav1.NewTime(now.Add(-time.Hour))
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns",
			Labels: map[string]string{"app": "directus"}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{
			container("app", "100m", "100Mi"),
		}},
		Status: corev1.PodStatus{
			Phase:     corev1.PodRunning,
			StartTime: &start,
			Conditions: []corev1.PodCondition{{
				Type: corev1.PodReady, Status: corev1.ConditionTrue,
				LastTransitionTime: metav1.NewTime(now.Add(-50 * time.Minute)),
			}},
		},
	}
	for _, opt := range opts {
		opt(pod)
	}
	return pod
}

// container builds a container with cpu and memory requests; "" leaves one out.
func container(name, cpu, memory string) corev1.Container {
	c := corev1.Container{Name: name, Resources: corev1.ResourceRequirements{
		Requests: corev1.ResourceList{}}}
	if cpu != "" {
		c.Resources.Requests[corev1.ResourceCPU] = resource.MustParse(cpu)
	}
	if memory != "" {
		c.Resources.Requests[corev1.ResourceMemory] = resource.MustParse(memory)
	}
	return c
}

func phase(p corev1.PodPhase) podOpt { return func(pod *corev1.Pod) { pod.Status.Phase = p } }

func deleting() podOpt {
	return func(pod *corev1.Pod) {
		t := metav1.NewTime(now.Add(-time.Second))
		pod.DeletionTimestamp = &t
	}
}

func startedAgo(d time.Duration) podOpt {
	return func(pod *corev1.Pod) {
		t := metav1.NewTime(now.Add(-d))
		pod.Status.StartTime = &t
	}
}

func noStartTime() podOpt { return func(pod *corev1.Pod) { pod.Status.StartTime = nil } }

func noReadyCondition() podOpt {
	return func(pod *corev1.Pod) { pod.Status.Conditions = nil }
}

// ready sets the Ready condition's status and its last transition, d ago.
func ready(status corev1.ConditionStatus, d time.Duration) podOpt {
	return func(pod *corev1.Pod) {
		pod.Status.Conditions = []corev1.PodCondition{{
			Type: corev1.PodReady, Status: status,
			LastTransitionTime: metav1.NewTime(now.Add(-d)),
		}}
	}
}

func containers(cs ...corev1.Container) podOpt {
	return func(pod *corev1.Pod) { pod.Spec.Containers = cs }
}

func sidecars(cs ...corev1.Container) podOpt {
	return func(pod *corev1.Pod) {
		always := corev1.ContainerRestartPolicyAlways
		for _, c := range cs {
			c.RestartPolicy = &always
			pod.Spec.InitContainers = append(pod.Spec.InitContainers, c)
		}
	}
}

func initContainers(cs ...corev1.Container) podOpt {
	return func(pod *corev1.Pod) {
		pod.Spec.InitContainers = append(pod.Spec.InitContainers, cs...)
	}
}

func podLevel(cpu, memory string) podOpt {
	return func(pod *corev1.Pod) {
		c := container("", cpu, memory)
		pod.Spec.Resources = &c.Resources
	}
}

func overhead(cpu string) podOpt {
	return func(pod *corev1.Pod) {
		pod.Spec.Overhead = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu)}
	}
}

func withLabels(kv ...string) podOpt {
	return func(pod *corev1.Pod) {
		pod.Labels = map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			pod.Labels[kv[i]] = kv[i+1]
		}
	}
}

// sample is a milli-unit value sampled 10 s ago over a 30 s window.
func sample(v int64) Sample {
	return Sample{Value: v, Timestamp: now.Add(-10 * time.Second),
		Window: Duration(30 * time.Second)}
}

// samples maps alternating names and values.
func samples(kv ...any) Samples {
	s := Samples{}
	for i := 0; i+1 < len(kv); i += 2 {
		s[kv[i].(string)] = sample(int64(kv[i+1].(int)))
	}
	return s
}

// podMetrics is a metrics.k8s.io item; each container is name=cpu/memory ("" leaves one out).
func podMetrics(name string, cs ...[3]string) resourcemetrics.PodMetrics {
	m := resourcemetrics.PodMetrics{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns",
			Labels: map[string]string{"app": "directus"}},
		Timestamp: metav1.NewTime(now.Add(-10 * time.Second)),
		Window:    metav1.Duration{Duration: 30 * time.Second},
	}
	for _, c := range cs {
		usage := corev1.ResourceList{}
		if c[1] != "" {
			usage[corev1.ResourceCPU] = resource.MustParse(c[1])
		}
		if c[2] != "" {
			usage[corev1.ResourceMemory] = resource.MustParse(c[2])
		}
		m.Containers = append(m.Containers,
			resourcemetrics.ContainerMetrics{Name: c[0], Usage: usage})
	}
	return m
}

func ptr[T any](v T) *T { return &v }

// utilizationMetric is a Resource metric with a Utilization target.
func utilizationMetric(name corev1.ResourceName, target int32) autoscalingv2.MetricSpec {
	return autoscalingv2.MetricSpec{
		Type: autoscalingv2.ResourceMetricSourceType,
		Resource: &autoscalingv2.ResourceMetricSource{Name: name,
			Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType,
				AverageUtilization: ptr(target)}},
	}
}

// newHPA is an HPA over Deployment directus in ns, created an hour ago.
func newHPA(minReplicas, maxReplicas int32, metrics ...autoscalingv2.MetricSpec,
) *autoscalingv2.HorizontalPodAutoscaler {
	return &autoscalingv2.HorizontalPodAutoscaler{
		ObjectMeta: metav1.ObjectMeta{Name: "directus", Namespace: "ns",
			CreationTimestamp: metav1.NewTime(now.Add(-time.Hour))},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{
				APIVersion: "apps/v1", Kind: "Deployment", Name: "directus"},
			MinReplicas: ptr(minReplicas),
			MaxReplicas: maxReplicas,
			Metrics:     metrics,
		},
	}
}

// directusBehavior is the behavior the product's manifests set: up 300 s window with Pods 2
// per 60 s, down 600 s window with Pods 1 per 120 s.
func directusBehavior() *autoscalingv2.HorizontalPodAutoscalerBehavior {
	return &autoscalingv2.HorizontalPodAutoscalerBehavior{
		ScaleUp: &autoscalingv2.HPAScalingRules{
			StabilizationWindowSeconds: ptr(int32(300)),
			Policies: []autoscalingv2.HPAScalingPolicy{
				{Type: autoscalingv2.PodsScalingPolicy, Value: 2, PeriodSeconds: 60}},
		},
		ScaleDown: &autoscalingv2.HPAScalingRules{
			StabilizationWindowSeconds: ptr(int32(600)),
			Policies: []autoscalingv2.HPAScalingPolicy{
				{Type: autoscalingv2.PodsScalingPolicy, Value: 1, PeriodSeconds: 120}},
		},
	}
}
