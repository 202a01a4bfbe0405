package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/rest"
	k8stesting "k8s.io/client-go/testing"
	aggregatorfake "k8s.io/kube-aggregator/pkg/client/clientset_generated/clientset/fake"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"
	metricsfake "k8s.io/metrics/pkg/client/clientset/versioned/fake"

	"github.com/kubectl-directus/kubectl-directus/pkg/kube"
)

// fixture is a namespace "shop" with a Deployment "directus" of five pods under an HPA with
// cpu 70 % and memory 80 % targets, each pod in a different state for the controller:
//
//	directus-a  Ready, 181m / 120Mi        counted
//	directus-b  Ready, 150m / 100Mi        counted
//	directus-c  never Ready, 50m / 110Mi   cpu: unready (NeverReady); memory: counted
//	directus-d  Ready, no metrics          missing
//	directus-e  Pending                    unready (Pending)
//
// Requests are 100m and 256Mi per pod, so the controller computes cpu 331/200 = 165 % and
// memory 330Mi/768Mi = 42 %.
type fixture struct {
	now     time.Time
	objects []runtime.Object

	mu      sync.Mutex
	metrics []metricsv1beta1.PodMetrics
	// metricsErr, when set, is what the metrics API answers.
	metricsErr error
	// onMetricsList, when set, runs before each metrics list with the call's number (from 1).
	onMetricsList func(call int)
	metricsCalls  int
}

func newFixture() *fixture {
	f := &fixture{now: time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC)}
	f.objects = append(f.objects,
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "shop"}},
		f.deployment(), f.hpa())
	started := f.now.Add(-10 * time.Minute)
	f.objects = append(f.objects,
		f.pod("directus-a", corev1.PodRunning, &started, corev1.ConditionTrue),
		f.pod("directus-b", corev1.PodRunning, &started, corev1.ConditionTrue),
		f.pod("directus-c", corev1.PodRunning, &started, corev1.ConditionFalse),
		f.pod("directus-d", corev1.PodRunning, &started, corev1.ConditionTrue),
		f.pod("directus-e", corev1.PodPending, nil, ""))
	f.metrics = []metricsv1beta1.PodMetrics{
		f.sample("directus-a", "181m", "120Mi"),
		f.sample("directus-b", "150m", "100Mi"),
		f.sample("directus-c", "50m", "110Mi"),
	}
	return f
}

var directusLabels = map[string]string{"app": "directus"}

func (f *fixture) deployment() *appsv1.Deployment {
	replicas := int32(5)
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "directus", Namespace: "shop"},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: directusLabels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: directusLabels},
				Spec:       podSpec(),
			},
		},
		Status: appsv1.DeploymentStatus{Replicas: 5},
	}
}

func podSpec() corev1.PodSpec {
	return corev1.PodSpec{Containers: []corev1.Container{{
		Name: "directus",
		Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
			corev1.ResourceCPU:    resource.MustParse("100m"),
			corev1.ResourceMemory: resource.MustParse("256Mi"),
		}},
	}}}
}

func (f *fixture) hpa() *autoscalingv2.HorizontalPodAutoscaler {
	minReplicas, cpu, memory := int32(2), int32(70), int32(80)
	cpuNow, memNow := int32(165), int32(42)
	lastScale := metav1.NewTime(f.now.Add(-3 * time.Minute))
	return &autoscalingv2.HorizontalPodAutoscaler{
		ObjectMeta: metav1.ObjectMeta{Name: "directus", Namespace: "shop",
			CreationTimestamp: metav1.NewTime(f.now.Add(-2 * time.Hour))},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1",
				Kind: "Deployment", Name: "directus"},
			MinReplicas: &minReplicas, MaxReplicas: 10,
			Metrics: []autoscalingv2.MetricSpec{utilization("cpu", cpu),
				utilization("memory", memory)},
		},
		Status: autoscalingv2.HorizontalPodAutoscalerStatus{
			CurrentReplicas: 5, DesiredReplicas: 5, LastScaleTime: &lastScale,
			CurrentMetrics: []autoscalingv2.MetricStatus{utilizationStatus("cpu", cpuNow),
				utilizationStatus("memory", memNow)},
			Conditions: []autoscalingv2.HorizontalPodAutoscalerCondition{
				{Type: autoscalingv2.AbleToScale, Status: corev1.ConditionTrue,
					Reason: "ReadyForNewScale"},
				{Type: autoscalingv2.ScalingActive, Status: corev1.ConditionTrue,
					Reason: "ValidMetricFound"},
				{Type: autoscalingv2.ScalingLimited, Status: corev1.ConditionFalse,
					Reason: "DesiredWithinRange"},
			},
		},
	}
}

func utilization(name corev1.ResourceName, target int32) autoscalingv2.MetricSpec {
	return autoscalingv2.MetricSpec{Type: autoscalingv2.ResourceMetricSourceType,
		Resource: &autoscalingv2.ResourceMetricSource{Name: name,
			Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType,
				AverageUtilization: &target}}}
}

func utilizationStatus(name corev1.ResourceName, current int32) autoscalingv2.MetricStatus {
	return autoscalingv2.MetricStatus{Type: autoscalingv2.ResourceMetricSourceType,
		Resource: &autoscalingv2.ResourceMetricStatus{Name: name,
			Current: autoscalingv2.MetricValueStatus{AverageUtilization: &current}}}
}

// pod makes a pod of the Deployment; start nil leaves it unstarted, ready "" without a
// Ready condition. A pod that is not Ready turned so 5 s after it started: never Ready.
func (f *fixture) pod(name string, phase corev1.PodPhase, start *time.Time,
	ready corev1.ConditionStatus) *corev1.Pod {
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "shop", Labels: directusLabels},
		Spec:       podSpec(),
		Status:     corev1.PodStatus{Phase: phase},
	}
	pod.Spec.NodeName = "node-1"
	if start == nil {
		pod.Spec.NodeName = ""
		return pod
	}
	pod.Status.StartTime = &metav1.Time{Time: *start}
	if ready != "" {
		pod.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: ready,
			LastTransitionTime: metav1.NewTime(start.Add(5 * time.Second))}}
	}
	return pod
}

func (f *fixture) sample(pod, cpu, memory string) metricsv1beta1.PodMetrics {
	return metricsv1beta1.PodMetrics{
		ObjectMeta: metav1.ObjectMeta{Name: pod, Namespace: "shop", Labels: directusLabels},
		Timestamp:  metav1.NewTime(f.now.Add(-20 * time.Second)),
		Window:     metav1.Duration{Duration: 15 * time.Second},
		Containers: []metricsv1beta1.ContainerMetrics{{Name: "directus",
			Usage: corev1.ResourceList{
				corev1.ResourceCPU:    resource.MustParse(cpu),
				corev1.ResourceMemory: resource.MustParse(memory),
			}}},
	}
}

// setUsage replaces one pod's sample, as metrics-server would on its next scrape.
func (f *fixture) setUsage(pod, cpu, memory string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.metrics {
		if f.metrics[i].Name == pod {
			f.metrics[i] = f.sample(pod, cpu, memory)
		}
	}
}

// clients builds fake clients over the fixture; pod metrics are served from f.metrics.
func (f *fixture) clients(extra ...runtime.Object) (*kube.Clients, *fake.Clientset) {
	kubeClient := fake.NewClientset(append(append([]runtime.Object(nil), f.objects...),
		extra...)...)
	metricsClient := metricsfake.NewSimpleClientset() // the metrics fake has no NewClientset
	metricsClient.PrependReactor("list", "pods", func(action k8stesting.Action) (bool,
		runtime.Object, error) {
		f.mu.Lock()
		f.metricsCalls++
		hook, call := f.onMetricsList, f.metricsCalls
		f.mu.Unlock()
		if hook != nil {
			hook(call)
		}

		f.mu.Lock()
		defer f.mu.Unlock()
		if f.metricsErr != nil {
			return true, nil, f.metricsErr
		}
		list := &metricsv1beta1.PodMetricsList{}
		for _, m := range f.metrics {
			if ns := action.GetNamespace(); ns == "" || ns == m.Namespace {
				list.Items = append(list.Items, m)
			}
		}
		return true, list, nil
	})
	return &kube.Clients{
		Kube:       kubeClient,
		Metrics:    metricsClient,
		Aggregator: aggregatorfake.NewClientset(),
		Discovery:  kubeClient.Discovery(),
		Config:     &rest.Config{Host: "https://127.0.0.1:6443"},
		Requests:   kube.NewRequestCounter(),
	}, kubeClient
}

// goldenFile compares got with testdata/name, or rewrites the file with -update.
func goldenFile(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(want), got)
}

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// testStreams returns IOStreams over buffers.
func testStreams() (genericiooptions.IOStreams, *bytes.Buffer, *bytes.Buffer) {
	out, errOut := &bytes.Buffer{}, &bytes.Buffer{}
	return genericiooptions.IOStreams{In: &bytes.Buffer{}, Out: out, ErrOut: errOut}, out, errOut
}

// prepared fills the view options a test needs: clients, clock, namespace, no terminal.
func (f *fixture) prepared(t *testing.T, o *viewOptions, clients *kube.Clients) {
	t.Helper()
	notTerminal := false
	o.clients, o.now, o.terminal = clients, func() time.Time { return f.now }, &notTerminal
	o.namespace = "shop"
}
