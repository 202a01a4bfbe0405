package cluster

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

func TestNewNodeHasOnlyLoopbackAddresses(t *testing.T) {
	node, err := NewNode("node-c", "8", "32Gi")
	require.NoError(t, err)

	require.NotEmpty(t, node.Status.Addresses)
	for _, addr := range node.Status.Addresses {
		assert.Equal(t, "127.0.0.1", addr.Address, addr.Type)
	}
	assert.Equal(t, "fake", node.Annotations["kwok.x-k8s.io/node"])
	assert.Equal(t, "/metrics/nodes/node-c/metrics/resource",
		node.Annotations["metrics.k8s.io/resource-metrics-path"])
	assert.Equal(t, "node-c", node.Labels["kubernetes.io/hostname"])
}

func TestNewNodeCapacity(t *testing.T) {
	node, err := NewNode("node-c", "8", "32Gi")
	require.NoError(t, err)

	for _, list := range []corev1.ResourceList{node.Status.Capacity, node.Status.Allocatable} {
		assert.True(t, list.Cpu().Equal(resource.MustParse("8")))
		assert.True(t, list.Memory().Equal(resource.MustParse("32Gi")))
		assert.True(t, list.Pods().Equal(resource.MustParse("110")))
	}
}

func TestNewNodeRejectsBadQuantity(t *testing.T) {
	_, err := NewNode("node-c", "eight", "32Gi")
	assert.ErrorContains(t, err, `node node-c: cpu "eight" is not a quantity`)
}
