package cluster

import (
	"context"
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Default nodes every cluster starts with, sized so that many test namespaces fit at once.
const (
	defaultNodeCPU    = "16"
	defaultNodeMemory = "64Gi"
	maxPodsPerNode    = "110"
)

// DefaultNodes names the nodes every cluster starts with.
func DefaultNodes() []string { return []string{"node-a", "node-b"} }

// NewNode returns a Node that kwok manages, with the given allocatable CPU and memory. Its
// only address is 127.0.0.1 (as InternalIP and Hostname), so metrics-server scrapes kwok's
// kubelet-style endpoint on the loopback address and never anything else; the annotation
// metrics.k8s.io/resource-metrics-path sends it to the node's path there.
func NewNode(name, cpu, memory string) (*corev1.Node, error) {
	capacity := corev1.ResourceList{}
	for res, value := range map[corev1.ResourceName]string{
		corev1.ResourceCPU: cpu, corev1.ResourceMemory: memory, corev1.ResourcePods: maxPodsPerNode,
	} {
		q, err := resource.ParseQuantity(value)
		if err != nil {
			return nil, fmt.Errorf("node %s: %s %q is not a quantity: %w", name, res, value, err)
		}
		capacity[res] = q
	}

	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name: name,
			Annotations: map[string]string{
				"kwok.x-k8s.io/node":                   "fake",
				"node.alpha.kubernetes.io/ttl":         "0",
				"metrics.k8s.io/resource-metrics-path": "/metrics/nodes/" + name + "/metrics/resource",
			},
			Labels: map[string]string{
				"kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
				"kubernetes.io/arch": "amd64", "type": "kwok",
			},
		},
		Status: corev1.NodeStatus{
			Capacity:    capacity,
			Allocatable: capacity.DeepCopy(),
			Addresses: []corev1.NodeAddress{
				{Type: corev1.NodeInternalIP, Address: loopback},
				{Type: corev1.NodeHostName, Address: loopback},
			},
		},
	}, nil
}

// AddNode adds a kwok node with the given allocatable CPU and memory (for example "8" and
// "32Gi") and removes it when the test ends. kwok marks it Ready within a second or two.
func (c *Cluster) AddNode(t testing.TB, name, cpu, memory string) *corev1.Node {
	t.Helper()
	ctx := t.Context()
	node, err := c.createNode(ctx, name, cpu, memory)
	if err != nil {
		t.Fatalf("adding node: %v", err)
	}

	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
		defer cancel()
		err := c.client.CoreV1().Nodes().Delete(ctx, name, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("deleting node %s: %v", name, err)
		}
	})
	return node
}

// createNode builds and creates one node. Node status may be set on create, which is how the
// loopback address gets there before kwok first looks at the node.
func (c *Cluster) createNode(ctx context.Context, name, cpu, memory string) (*corev1.Node, error) {
	node, err := NewNode(name, cpu, memory)
	if err != nil {
		return nil, err
	}
	created, err := c.client.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{})
	if err != nil {
		return nil, fmt.Errorf("creating node %s: %w", name, err)
	}
	return created, nil
}
