package diagnose

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
	apiregv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	cmv1beta2 "k8s.io/metrics/pkg/apis/custom_metrics/v1beta2"
)

func requestsPerSecond() autoscalingv2.MetricSpec {
	return autoscalingv2.MetricSpec{Type: autoscalingv2.PodsMetricSourceType,
		Pods: &autoscalingv2.PodsMetricSource{
			Metric: autoscalingv2.MetricIdentifier{Name: "http_requests_per_second"},
			Target: autoscalingv2.MetricTarget{Type: autoscalingv2.AverageValueMetricType,
				AverageValue: ptr(resource.MustParse("50"))}}}
}

// prometheusAdapter adds monitoring/prometheus-adapter serving custom.metrics.k8s.io; ready
// says whether its pod runs or crash-loops.
func prometheusAdapter(w *world, ready bool) {
	labels := map[string]string{"app": "prometheus-adapter"}
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "prometheus-adapter-5c8d9-h2kwp",
		Namespace: "monitoring", Labels: labels,
		OwnerReferences: controllerRef("ReplicaSet", "prometheus-adapter-5c8d9")},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "prometheus-adapter",
			Ports: []corev1.ContainerPort{{Name: "https", ContainerPort: 6443}}}}},
		Status: runningReady(time.Hour, "prometheus-adapter")}
	slice := readySlice("monitoring", "prometheus-adapter", "https", 6443)
	available := int32(1)
	if !ready {
		pod.Status.Conditions[0].Status = corev1.ConditionFalse
		pod.Status.ContainerStatuses[0] = corev1.ContainerStatus{Name: "prometheus-adapter",
			RestartCount: 14, State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{
				Reason: "CrashLoopBackOff"}}}
		slice.Endpoints[0].Conditions.Ready = ptr(false)
		available = 0
	}
	w.add(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "monitoring"}}, pod, slice,
		service("monitoring", "prometheus-adapter", labels, 443, intstr.FromString("https")),
		&appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "prometheus-adapter",
			Namespace: "monitoring"},
			Spec: appsv1.DeploymentSpec{Replicas: ptr(int32(1)),
				Selector: &metav1.LabelSelector{MatchLabels: labels},
				Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}}},
			Status: appsv1.DeploymentStatus{Replicas: 1, AvailableReplicas: available,
				ReadyReplicas: available}})
	api := &apiregv1.APIService{ObjectMeta: metav1.ObjectMeta{Name: "v1beta1.custom.metrics.k8s.io"},
		Spec: apiregv1.APIServiceSpec{Group: "custom.metrics.k8s.io", Version: "v1beta1",
			Service: &apiregv1.ServiceReference{Namespace: "monitoring",
				Name: "prometheus-adapter", Port: ptr(int32(443))}}}
	setAvailable(api, apiregv1.ConditionTrue, "Passed", "all checks passed")
	if !ready {
		setAvailable(api, apiregv1.ConditionFalse, "FailedDiscoveryCheck", "failing or missing "+
			"response from https://10.96.0.40:443/apis/custom.metrics.k8s.io/v1beta1: Get "+
			"\"https://10.96.0.40:443/apis/custom.metrics.k8s.io/v1beta1\": dial tcp "+
			"10.96.0.40:443: connect: connection refused")
	}
	w.apiServices = append(w.apiServices, api)
}

// fourPods scales cms to four running pods with cpu at 20% and memory at 45%.
func fourPods(t *testing.T, w *world) {
	w.cms(t).Spec.Replicas = ptr(int32(4))
	w.add(cmsPod("cms-7d9c5-r4vhd", "node-a"), cmsPod("cms-7d9c5-x8kdj", "node-b"))
	w.podMetrics = nil
	for _, name := range []string{"cms-7d9c5-q2xkz", "cms-7d9c5-m8wtn", "cms-7d9c5-r4vhd",
		"cms-7d9c5-x8kdj"} {
		w.podMetrics = append(w.podMetrics, podUsage(name, "50m", "230Mi"))
	}
	hpa := w.hpa(t)
	hpa.Status.CurrentReplicas, hpa.Status.DesiredReplicas = 4, 4
	hpa.Status.CurrentMetrics = []autoscalingv2.MetricStatus{
		utilizationStatus(corev1.ResourceCPU, 20, "50m"),
		utilizationStatus(corev1.ResourceMemory, 45, "230Mi")}
}

func podsMetricFailing(t *testing.T, w *world, tail string) {
	hpa := w.hpa(t)
	hpa.Spec.Metrics = append(hpa.Spec.Metrics, requestsPerSecond())
	setCondition(hpa, hpaCondition(autoscalingv2.ScalingActive, corev1.ConditionFalse,
		"FailedGetPodsMetric", "the HPA was unable to compute the replica count: unable to get "+
			"metric http_requests_per_second: unable to fetch metrics from custom metrics API: "+
			tail, 30*time.Minute))
}

func TestK09CustomMetricsAPIUnavailable(t *testing.T) {
	w := baseline()
	fourPods(t, w)
	prometheusAdapter(w, false)
	podsMetricFailing(t, w, "the server is currently unable to handle the request "+
		"(get pods.custom.metrics.k8s.io *)")

	report := w.report(t)

	f := requireFinding(t, report, "HPA-MET-012")
	assert.Equal(t, Error, f.Severity)
	assert.Equal(t, hpaSubject(w.hpa(t)), f.Subject)
	assert.Contains(t, f.Message, "http_requests_per_second")
	assertEvidence(t, f, "pods metric http_requests_per_second average 50",
		"APIService v1beta1.custom.metrics.k8s.io: Available=False FailedDiscoveryCheck",
		"Service monitoring/prometheus-adapter",
		"pod monitoring/prometheus-adapter-5c8d9-h2kwp: Running, not Ready",
		"restarts=14 CrashLoopBackOff", "will not remove any", "at 4 replicas, minReplicas 2",
		"cpu 20% (50m)")
	assertNoEvidence(t, f, "v1beta1.metrics.k8s.io", "metrics-server")
	assertOnlyProblems(t, report, "HPA-MET-012")
}

func TestK09NegativeUnusedCustomAPI(t *testing.T) {
	w := baseline()
	prometheusAdapter(w, false)

	report := w.report(t)

	f := requireFinding(t, report, "HPA-MET-010")
	assert.Equal(t, Info, f.Severity)
	assert.Equal(t, "v1beta1.custom.metrics.k8s.io", f.Subject.Name)
	assertAtMost(t, report, Info)
}

func customAvailable(t *testing.T, w *world, offered ...string) {
	prometheusAdapter(w, true)
	w.customOffered = offered
}

func TestK10CustomMetricNotOffered(t *testing.T) {
	w := baseline()
	customAvailable(t, w, "pods/http_requests", "namespaces/http_requests",
		"pods/process_cpu_seconds")
	podsMetricFailing(t, w, "the server could not find the metric http_requests_per_second for pods")
	w.customAnswer = func(metric string) (*cmv1beta2.MetricValueList, error) {
		return nil, apierrors.NewNotFound(schema.GroupResource{Resource: "pods"}, metric)
	}

	report := w.report(t)

	f := requireFinding(t, report, "HPA-MET-031")
	assert.Equal(t, Error, f.Severity)
	assert.Equal(t, hpaSubject(w.hpa(t)), f.Subject)
	assertEvidence(t, f, "does not list pods/http_requests_per_second",
		"close matches: http_requests", "offered pod metrics: http_requests, process_cpu_seconds")
	assert.Contains(t, f.Remediation, "name.as")
	assertOnlyProblems(t, report, "HPA-MET-031")
}

func TestK10CustomMetricOfferedButEmpty(t *testing.T) {
	w := baseline()
	customAvailable(t, w, "pods/http_requests_per_second")
	podsMetricFailing(t, w, "no metrics returned from custom metrics API")
	var asked []string
	w.customAnswer = func(metric string) (*cmv1beta2.MetricValueList, error) {
		asked = append(asked, metric)
		return &cmv1beta2.MetricValueList{}, nil
	}

	report := w.report(t)

	f := requireFinding(t, report, "HPA-MET-032")
	assert.Equal(t, Error, f.Severity)
	assertEvidence(t, f, "pods/http_requests_per_second is offered",
		"0 items for pods in namespace shop matching app=cms")
	assert.Equal(t, []string{"http_requests_per_second"}, asked, "one query, as the controller makes")
	assertOnlyProblems(t, report, "HPA-MET-032")
}
