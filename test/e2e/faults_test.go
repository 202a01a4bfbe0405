package e2e

import (
	"context"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-directus/kubectl-directus/test/cluster"
)

// metricsServed reports whether metrics.k8s.io answers a node metrics list.
func metricsServed(c *cluster.Cluster) func(context.Context) (bool, error) {
	return func(ctx context.Context) (bool, error) {
		_, err := c.Metrics().MetricsV1beta1().NodeMetricses().List(ctx, metav1.ListOptions{})
		return err == nil, nil
	}
}

// metricsFail reports whether metrics.k8s.io refuses a node metrics list.
func metricsFail(c *cluster.Cluster) func(context.Context) (bool, error) {
	return func(ctx context.Context) (bool, error) {
		_, err := c.Metrics().MetricsV1beta1().NodeMetricses().List(ctx, metav1.ListOptions{})
		return err != nil, nil
	}
}

func TestBreakMetricsAPIService(t *testing.T) {
	c := cluster.Shared(t)
	c.WaitFor(t, 2*time.Minute, "metrics API available",
		c.APIServiceAvailable(cluster.MetricsAPIService))

	t.Run("broken", func(t *testing.T) {
		c.BreakMetricsAPIService(t)
		c.WaitFor(t, time.Minute, "APIService MissingEndpoints",
			c.APIServiceUnavailable(cluster.MetricsAPIService, "MissingEndpoints"))
		c.WaitFor(t, time.Minute, "metrics requests to fail", metricsFail(c))
	})

	c.WaitFor(t, 2*time.Minute, "metrics API available again",
		c.APIServiceAvailable(cluster.MetricsAPIService))
	c.WaitFor(t, time.Minute, "metrics served again", metricsServed(c))
}

// TestStopAndStartMetricsServer stops metrics-server while a pod has usage, sees the metrics
// API fail, starts it again and sees the pod's metrics served again by the new process.
func TestStopAndStartMetricsServer(t *testing.T) {
	c := cluster.Shared(t)
	ns := c.Namespace(t)
	c.Apply(t, ns, webDeployment)
	pods := waitReadyPods(t, c, ns, "app=web", 2)
	waitPodMetrics(t, c, ns, pods[0], 3*time.Minute)

	c.StopMetricsServer(t)
	c.WaitFor(t, 2*time.Minute, "APIService unavailable",
		c.APIServiceUnavailable(cluster.MetricsAPIService, ""))
	c.WaitFor(t, time.Minute, "metrics requests to fail", metricsFail(c))

	c.StartMetricsServer(t)
	c.WaitFor(t, 2*time.Minute, "metrics API available again",
		c.APIServiceAvailable(cluster.MetricsAPIService))
	usage := waitPodMetrics(t, c, ns, pods[0], 2*time.Minute)
	assertNear(t, "cpu after the restart", usage.Cpu(), resource.MustParse("180m"), 0.15)
}
