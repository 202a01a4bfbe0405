package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-directus/kubectl-directus/test/cluster"
)

func TestEveryNodeAddressIsLoopback(t *testing.T) {
	c := cluster.Shared(t)
	c.AddNode(t, "node-extra", "4", "8Gi")
	c.WaitFor(t, time.Minute, "node-extra Ready", c.NodeReady("node-extra"))

	nodes, err := c.Client().CoreV1().Nodes().List(t.Context(), metav1.ListOptions{})
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(nodes.Items), 3)

	for _, node := range nodes.Items {
		require.NotEmpty(t, node.Status.Addresses, node.Name)
		for _, addr := range node.Status.Addresses {
			assert.Equal(t, "127.0.0.1", addr.Address, "node %s address %s", node.Name, addr.Type)
		}
	}
}

func TestServiceClusterIPsAreLoopback(t *testing.T) {
	c := cluster.Shared(t)
	ns := c.Namespace(t)
	c.Apply(t, ns, `apiVersion: v1
kind: Service
metadata: {name: probe}
spec:
  selector: {app: probe}
  ports: [{port: 80}]
`)

	svc, err := c.Client().CoreV1().Services(ns).Get(t.Context(), "probe", metav1.GetOptions{})
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(svc.Spec.ClusterIP, "127."), svc.Spec.ClusterIP)
}

// webDeployment requests 100m CPU per pod and uses 180m, per its pod template's annotations.
const webDeployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
      annotations:
        kwok.x-k8s.io/usage-cpu: 180m
        kwok.x-k8s.io/usage-memory: 100Mi
    spec:
      containers:
      - name: app
        image: registry.invalid/web:1
        resources:
          requests: {cpu: 100m, memory: 256Mi}
`

// webHPA scales web between 2 and 10 replicas at 70% CPU, with the default behavior.
const webHPA = `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 10
  metrics:
  - type: Resource
    resource:
      name: cpu
      target: {type: Utilization, averageUtilization: 70}
`

// TestHPAScalesOnSimulatedUsage checks the whole pipeline: kwok usage annotations, kwok's
// kubelet-style endpoint, metrics-server, metrics.k8s.io and the real HPA controller. 180m
// used of 100m requested is 180% against a 70% target, so the controller must scale up, and
// keeps doing so until maxReplicas.
func TestHPAScalesOnSimulatedUsage(t *testing.T) {
	c := cluster.Shared(t)
	ns := c.Namespace(t)
	start := time.Now()
	c.Apply(t, ns, webDeployment+"---\n"+webHPA)

	pods := waitReadyPods(t, c, ns, "app=web", 2)
	t.Logf("2 pods ready after %s", time.Since(start).Round(time.Second))

	usage := waitPodMetrics(t, c, ns, pods[0], 3*time.Minute)
	t.Logf("first pod metrics after %s: cpu=%s memory=%s", time.Since(start).Round(time.Second),
		usage.Cpu(), usage.Memory())
	assertNear(t, "cpu", usage.Cpu(), resource.MustParse("180m"), 0.15)
	assertNear(t, "memory", usage.Memory(), resource.MustParse("100Mi"), 0.01)

	hpa := c.WaitHPA(t, ns, "web", 3*time.Minute, func(h *autoscalingv2.HorizontalPodAutoscaler) bool {
		return h.Status.DesiredReplicas > 2
	})
	t.Logf("HPA scaled up after %s: %s", time.Since(start).Round(time.Second),
		cluster.DescribeHPA(hpa))
	assertCondition(t, hpa, autoscalingv2.ScalingActive, corev1.ConditionTrue, "ValidMetricFound")

	hpa = c.WaitHPA(t, ns, "web", 4*time.Minute, func(h *autoscalingv2.HorizontalPodAutoscaler) bool {
		return h.Status.CurrentReplicas == 10
	})
	t.Logf("HPA at maxReplicas after %s", time.Since(start).Round(time.Second))
	assertCondition(t, hpa, autoscalingv2.ScalingLimited, corev1.ConditionTrue, "TooManyReplicas")
}

// TestSetPodUsageReachesMetricsAPI changes one pod's usage while it runs and sees
// metrics.k8s.io report the new value for that pod only.
func TestSetPodUsageReachesMetricsAPI(t *testing.T) {
	c := cluster.Shared(t)
	ns := c.Namespace(t)
	c.Apply(t, ns, webDeployment)
	pods := waitReadyPods(t, c, ns, "app=web", 2)
	waitPodMetrics(t, c, ns, pods[0], 3*time.Minute)

	c.SetPodUsage(t, ns, pods[0], "600m", "300Mi")

	c.WaitFor(t, 2*time.Minute, "new usage of "+pods[0], func(ctx context.Context) (bool, error) {
		m, err := c.Metrics().MetricsV1beta1().PodMetricses(ns).Get(ctx, pods[0], metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		cpu := m.Containers[0].Usage.Cpu().MilliValue()
		return cpu > 500 && m.Containers[0].Usage.Memory().Value() == 300<<20, nil
	})
	other, err := c.Metrics().MetricsV1beta1().PodMetricses(ns).Get(t.Context(), pods[1],
		metav1.GetOptions{})
	require.NoError(t, err)
	assertNear(t, "cpu of the other pod", other.Containers[0].Usage.Cpu(),
		resource.MustParse("180m"), 0.15)
}

// TestJobsComplete relies on kwok's pod-complete stage: pods owned by a Job succeed right
// after they start.
func TestJobsComplete(t *testing.T) {
	c := cluster.Shared(t)
	ns := c.Namespace(t)
	c.Apply(t, ns, `apiVersion: batch/v1
kind: Job
metadata: {name: once}
spec:
  completions: 2
  template:
    spec:
      restartPolicy: Never
      containers: [{name: work, image: registry.invalid/work:1}]
`)

	c.WaitFor(t, 2*time.Minute, "Job once to complete", func(ctx context.Context) (bool, error) {
		job, err := c.Client().BatchV1().Jobs(ns).Get(ctx, "once", metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		for _, cond := range job.Status.Conditions {
			if cond.Type == batchv1.JobComplete && cond.Status == corev1.ConditionTrue {
				return job.Status.Succeeded == 2, nil
			}
		}
		return false, nil
	})
}

// waitReadyPods waits until n pods match selector and all are Ready, and returns their names.
func waitReadyPods(t *testing.T, c *cluster.Cluster, ns, selector string, n int) []string {
	t.Helper()
	var names []string
	c.WaitFor(t, 2*time.Minute, fmt.Sprintf("%d ready pods %s", n, selector),
		func(ctx context.Context) (bool, error) {
			pods, err := c.Client().CoreV1().Pods(ns).List(ctx, metav1.ListOptions{
				LabelSelector: selector})
			if err != nil {
				return false, err
			}
			names = names[:0]
			for _, pod := range pods.Items {
				if podReady(&pod) {
					names = append(names, pod.Name)
				}
			}
			return len(names) == n && len(pods.Items) == n, nil
		})
	return names
}

func podReady(pod *corev1.Pod) bool {
	for _, cond := range pod.Status.Conditions {
		if cond.Type == corev1.PodReady {
			return cond.Status == corev1.ConditionTrue
		}
	}
	return false
}

// waitPodMetrics waits until metrics.k8s.io serves the pod and returns its first container's
// usage.
func waitPodMetrics(t *testing.T, c *cluster.Cluster, ns, pod string,
	timeout time.Duration) corev1.ResourceList {
	t.Helper()
	var usage corev1.ResourceList
	c.WaitFor(t, timeout, "pod metrics of "+pod, func(ctx context.Context) (bool, error) {
		m, err := c.Metrics().MetricsV1beta1().PodMetricses(ns).Get(ctx, pod, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		if len(m.Containers) == 0 {
			return false, nil
		}
		usage = m.Containers[0].Usage
		return true, nil
	})
	return usage
}

// assertNear checks that got is within the relative tolerance of want.
func assertNear(t *testing.T, what string, got *resource.Quantity, want resource.Quantity,
	tolerance float64) {
	t.Helper()
	g, w := got.AsApproximateFloat64(), want.AsApproximateFloat64()
	assert.InDelta(t, w, g, w*tolerance, "%s: got %s, want %s", what, got, &want)
}

func assertCondition(t *testing.T, hpa *autoscalingv2.HorizontalPodAutoscaler,
	typ autoscalingv2.HorizontalPodAutoscalerConditionType, status corev1.ConditionStatus,
	reason string) {
	t.Helper()
	for _, cond := range hpa.Status.Conditions {
		if cond.Type == typ {
			assert.Equal(t, status, cond.Status, "%s: %s", typ, cond.Message)
			assert.Equal(t, reason, cond.Reason, "%s: %s", typ, cond.Message)
			return
		}
	}
	t.Errorf("HPA has no %s condition: %s", typ, cluster.DescribeHPA(hpa))
}
