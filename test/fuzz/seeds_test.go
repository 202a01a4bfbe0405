package fuzz

import (
	"encoding/json"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"
	"k8s.io/utils/ptr"
)

// seeds are the seed corpus besides testdata/fuzz: a healthy HPA and its odd variants.
func seeds() [][]byte {
	healthy := world(2, 1)
	noMetrics := world(2, 1)
	noMetrics.HPAs[0].Spec.Metrics = nil
	huge := world(2, 1)
	huge.HPAs[0].Spec.MaxReplicas = 1<<31 - 1
	huge.HPAs[0].Spec.Metrics[0].Resource.Target.AverageUtilization = ptr.To(int32(1<<31 - 1))
	zero := world(2, 1)
	zero.HPAs[0].Spec.Metrics[0].Resource.Target.AverageUtilization = ptr.To(int32(0))
	zero.HPAs[0].Spec.MinReplicas = ptr.To(int32(0))
	crowded := world(3, 40)
	nothing := world(2, 1)
	nothing.Deployments[0].Spec.Selector.MatchLabels = map[string]string{"app": "none"}
	foreignKind := world(1, 1)
	foreignKind.HPAs[0].Spec.ScaleTargetRef = autoscalingv2.CrossVersionObjectReference{
		APIVersion: "v1", Kind: "ConfigMap", Name: "settings"}

	var out [][]byte
	for _, o := range []objects{healthy, noMetrics, huge, zero, crowded, nothing, foreignKind} {
		data, err := json.Marshal(o)
		if err != nil {
			panic(err) // the seeds are fixed values: this cannot fail at run time
		}
		out = append(out, data)
	}
	return append(out, []byte(`{}`), []byte(`{"hpas":[{}],"pods":[{}],"events":[{}]}`))
}

// world is an HPA over a Deployment of the given pods, each with containers containers, their
// metrics and a past rescale event.
func world(pods, containers int) objects {
	labels := map[string]string{"app": "cms"}
	o := objects{
		HPAs: []autoscalingv2.HorizontalPodAutoscaler{hpa()},
		Deployments: []appsv1.Deployment{{
			ObjectMeta: metav1.ObjectMeta{Name: "cms", Namespace: "shop", UID: "d1"},
			Spec: appsv1.DeploymentSpec{Replicas: ptr.To(int32(pods)),
				Selector: &metav1.LabelSelector{MatchLabels: labels}},
			Status: appsv1.DeploymentStatus{Replicas: int32(pods)},
		}},
		ReplicaSets: []appsv1.ReplicaSet{{ObjectMeta: metav1.ObjectMeta{Name: "cms-7d9", Namespace: "shop",
			Labels: labels, OwnerReferences: []metav1.OwnerReference{{Kind: "Deployment",
				Name: "cms", Controller: ptr.To(true)}}}}},
		Events: []corev1.Event{{
			ObjectMeta: metav1.ObjectMeta{Name: "cms.1", Namespace: "shop"},
			InvolvedObject: corev1.ObjectReference{Kind: "HorizontalPodAutoscaler",
				Namespace: "shop", Name: "cms"},
			Reason: "SuccessfulRescale", Type: corev1.EventTypeNormal, Count: 1,
			Message:       "New size: 2; reason: cpu resource utilization (percentage of request) above target",
			LastTimestamp: metav1.NewTime(fuzzNow.Add(-10 * time.Minute)),
		}},
	}
	for i := range pods {
		pod, usage := podWithUsage(fmt.Sprintf("cms-7d9-%d", i), labels, containers)
		o.Pods = append(o.Pods, pod)
		o.PodMetrics = append(o.PodMetrics, usage)
	}
	return o
}

func hpa() autoscalingv2.HorizontalPodAutoscaler {
	utilization := func(name corev1.ResourceName, v int32) autoscalingv2.MetricSpec {
		return autoscalingv2.MetricSpec{Type: autoscalingv2.ResourceMetricSourceType,
			Resource: &autoscalingv2.ResourceMetricSource{Name: name, Target: autoscalingv2.MetricTarget{
				Type: autoscalingv2.UtilizationMetricType, AverageUtilization: ptr.To(v)}}}
	}
	return autoscalingv2.HorizontalPodAutoscaler{
		ObjectMeta: metav1.ObjectMeta{Name: "cms", Namespace: "shop"},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1",
				Kind: "Deployment", Name: "cms"},
			MinReplicas: ptr.To(int32(2)), MaxReplicas: 10,
			Metrics: []autoscalingv2.MetricSpec{
				utilization(corev1.ResourceCPU, 70), utilization(corev1.ResourceMemory, 80)},
		},
		Status: autoscalingv2.HorizontalPodAutoscalerStatus{CurrentReplicas: 2, DesiredReplicas: 2,
			Conditions: []autoscalingv2.HorizontalPodAutoscalerCondition{{
				Type: autoscalingv2.ScalingActive, Status: corev1.ConditionTrue,
				Reason: "ValidMetricFound"}}},
	}
}

// podWithUsage is a Running, Ready pod of n containers and its metrics.
func podWithUsage(name string, labels map[string]string,
	n int) (corev1.Pod, metricsv1beta1.PodMetrics) {
	started := metav1.NewTime(fuzzNow.Add(-time.Hour))
	pod := corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "shop", Labels: labels,
			OwnerReferences: []metav1.OwnerReference{{Kind: "ReplicaSet", Name: "cms-7d9",
				Controller: ptr.To(true)}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, StartTime: &started,
			Conditions: []corev1.PodCondition{{Type: corev1.PodReady,
				Status: corev1.ConditionTrue, LastTransitionTime: started}}},
	}
	usage := metricsv1beta1.PodMetrics{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "shop"},
		Timestamp: metav1.NewTime(fuzzNow.Add(-30 * time.Second)),
		Window:    metav1.Duration{Duration: 15 * time.Second}}
	for i := range n {
		c := fmt.Sprintf("c%d", i)
		pod.Spec.Containers = append(pod.Spec.Containers, corev1.Container{Name: c,
			Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
				corev1.ResourceCPU: resource.MustParse("250m"), corev1.ResourceMemory: resource.MustParse("512Mi"),
			}}})
		usage.Containers = append(usage.Containers, metricsv1beta1.ContainerMetrics{Name: c,
			Usage: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("180m"),
				corev1.ResourceMemory: resource.MustParse("300Mi")}})
	}
	return pod, usage
}
