package cluster

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiregv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
)

// MetricsAPIService is the APIService through which metrics-server serves metrics.k8s.io.
const MetricsAPIService = "v1beta1.metrics.k8s.io"

// readyTimeout bounds each step of waiting for a new cluster.
const readyTimeout = 2 * time.Minute

// configure checks what kwokctl set up, installs kwok's usage rules and the default nodes,
// and waits until the cluster can run pods and serve metrics.
func (c *Cluster) configure(ctx context.Context, logf func(string, ...any)) error {
	saved, err := os.ReadFile(filepath.Join(c.Workdir, "kwok.yaml"))
	if err != nil {
		return fmt.Errorf("reading kwokctl's saved configuration: %w", err)
	}
	if err := checkLocal(saved); err != nil {
		return err
	}

	if err := c.applyUsageRules(ctx); err != nil {
		return err
	}
	for _, name := range DefaultNodes() {
		if _, err := c.createNode(ctx, name, defaultNodeCPU, defaultNodeMemory); err != nil {
			return err
		}
	}
	return c.waitReady(ctx, logf)
}

// applyUsageRules applies kwok's Metric (the kubelet-style resource metrics endpoint) and
// ClusterResourceUsage (usage from pod annotations). Their CRDs were created a moment ago,
// so the first attempts may find them not yet served.
func (c *Cluster) applyUsageRules(ctx context.Context) error {
	args := []string{"apply", "--server-side", "--field-manager=e2e",
		"-f", filepath.Join(c.manifests, "kwok-metrics.yaml"),
		"-f", filepath.Join(c.manifests, "kwok-usage.yaml")}

	err := poll(ctx, readyTimeout, func(ctx context.Context) (bool, error) {
		_, stderr, err := c.run(ctx, nil, c.kubectlPath(), args...)
		if err != nil {
			return false, fmt.Errorf("%w: %s", err, stderr)
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("applying kwok's usage rules: %w", err)
	}
	return nil
}

// waitReady waits for the default nodes, the metrics API and the default ServiceAccount,
// restarting components that exited meanwhile.
func (c *Cluster) waitReady(ctx context.Context, logf func(string, ...any)) error {
	for _, name := range DefaultNodes() {
		if err := poll(ctx, readyTimeout, c.NodeReady(name)); err != nil {
			return fmt.Errorf("waiting for node %s to be Ready: %w", name, err)
		}
	}

	metricsAvailable := c.APIServiceAvailable(MetricsAPIService)
	err := poll(ctx, readyTimeout, func(ctx context.Context) (bool, error) {
		if err := c.restartExited(ctx, logf); err != nil {
			return false, err
		}
		return metricsAvailable(ctx)
	})
	if err != nil {
		return fmt.Errorf("waiting for APIService %s to be Available: %w", MetricsAPIService, err)
	}
	if err := poll(ctx, readyTimeout, c.serviceAccountExists("default")); err != nil {
		return fmt.Errorf("waiting for the default ServiceAccount: %w", err)
	}
	return nil
}

// NodeReady returns a condition, for WaitFor, that holds once the node is Ready.
func (c *Cluster) NodeReady(name string) func(context.Context) (bool, error) {
	return func(ctx context.Context) (bool, error) {
		node, err := c.client.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		for _, cond := range node.Status.Conditions {
			if cond.Type == corev1.NodeReady {
				return cond.Status == corev1.ConditionTrue, nil
			}
		}
		return false, nil
	}
}

// APIServiceAvailable returns a condition, for WaitFor, that holds once the APIService
// (for example MetricsAPIService) reports Available=True.
func (c *Cluster) APIServiceAvailable(name string) func(context.Context) (bool, error) {
	return func(ctx context.Context) (bool, error) {
		cond, err := c.apiServiceCondition(ctx, name)
		return err == nil && cond.Status == apiregv1.ConditionTrue, err
	}
}

// APIServiceUnavailable returns a condition, for WaitFor, that holds once the APIService
// reports Available=False with the given reason (any reason when reason is empty).
func (c *Cluster) APIServiceUnavailable(name, reason string) func(context.Context) (bool, error) {
	return func(ctx context.Context) (bool, error) {
		cond, err := c.apiServiceCondition(ctx, name)
		if err != nil {
			return false, err
		}
		matches := reason == "" || cond.Reason == reason
		return cond.Status == apiregv1.ConditionFalse && matches, nil
	}
}

// apiServiceCondition returns the Available condition of an APIService.
func (c *Cluster) apiServiceCondition(ctx context.Context,
	name string) (apiregv1.APIServiceCondition, error) {
	svc, err := c.aggregator.ApiregistrationV1().APIServices().Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return apiregv1.APIServiceCondition{}, fmt.Errorf("APIService %s not registered", name)
	}
	if err != nil {
		return apiregv1.APIServiceCondition{}, err
	}
	for _, cond := range svc.Status.Conditions {
		if cond.Type == apiregv1.Available {
			return cond, nil
		}
	}
	return apiregv1.APIServiceCondition{Status: apiregv1.ConditionUnknown}, nil
}
