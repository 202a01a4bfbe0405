package e2e

import (
	"context"
	"testing"
	"time"

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

func TestStopAndStartMetricsServer(t *testing.T) {
	c := cluster.Shared(t)
	c.WaitFor(t, 2*time.Minute, "metrics API available",
		c.APIServiceAvailable(cluster.MetricsAPIService))

	c.StopMetricsServer(t)
	c.WaitFor(t, 2*time.Minute, "APIService unavailable",
		c.APIServiceUnavailable(cluster.MetricsAPIService, ""))
	c.WaitFor(t, time.Minute, "metrics requests to fail", metricsFail(c))

	c.StartMetricsServer(t)
	c.WaitFor(t, 2*time.Minute, "metrics API available again",
		c.APIServiceAvailable(cluster.MetricsAPIService))
	c.WaitFor(t, time.Minute, "metrics served again", metricsServed(c))
}
