package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	k8stesting "k8s.io/client-go/testing"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"
	metricsfake "k8s.io/metrics/pkg/client/clientset/versioned/fake"
)

// node makes a Ready node with 2 cores, 4Gi and room for 10 pods.
func node(name string, taints ...corev1.Taint) *corev1.Node {
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       corev1.NodeSpec{Taints: taints},
		Status: corev1.NodeStatus{
			Allocatable: corev1.ResourceList{
				corev1.ResourceCPU:    resource.MustParse("2"),
				corev1.ResourceMemory: resource.MustParse("4Gi"),
				corev1.ResourcePods:   resource.MustParse("10"),
			},
			Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady,
				Status: corev1.ConditionTrue}},
		},
	}
}

// TestTopNodes: node-1 holds the fixture's four scheduled pods (400m, 1Gi); node-2 is free;
// node-3 has a NoSchedule taint. Room per pod of 100m/256Mi: node-1 min(16, 12, 6) = 6,
// node-2 min(20, 16, 10) = 10, so 16 more pods fit against the 6 maxReplicas 10 needs.
func TestTopNodes(t *testing.T) {
	f := newFixture()
	streams, out, _ := testStreams()
	clients, _ := f.clients(node("node-1"), node("node-2"),
		node("node-3", corev1.Taint{Key: "dedicated", Value: "db",
			Effect: corev1.TaintEffectNoSchedule}))
	clients.Metrics.(*metricsfake.Clientset).PrependReactor("list", "nodes",
		func(k8stesting.Action) (bool, runtime.Object, error) {
			return true, &metricsv1beta1.NodeMetricsList{Items: []metricsv1beta1.NodeMetrics{{
				ObjectMeta: metav1.ObjectMeta{Name: "node-1"},
				Usage: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("450m"),
					corev1.ResourceMemory: resource.MustParse("1Gi")},
			}}}, nil
		})
	opts := &topNodesOptions{viewOptions: newViewOptions(streams)}
	f.prepared(t, &opts.viewOptions, clients)
	cmd := newCmdTopNodes(streams, genericclioptions.NewConfigFlags(true), opts)
	cmd.SetArgs([]string{})
	require.NoError(t, cmd.ExecuteContext(context.Background()))

	assert.Equal(t, `NAME     READY   CPU ALLOC   CPU REQ   CPU REQ%   CPU USED    CPU USED%   MEM ALLOC   MEM REQ   MEM REQ%   MEM USED    MEM USED%   PODS
node-1   True    2000m       400m      20%        450m        22%         4096Mi      1024Mi    25%        1024Mi      25%         4/10
node-2   True    2000m       0m        0%         <unknown>   <unknown>   4096Mi      0Mi       0%         <unknown>   <unknown>   0/10
node-3   True    2000m       0m        0%         <unknown>   <unknown>   4096Mi      0Mi       0%         <unknown>   <unknown>   0/10

HPA        POD CPU REQ   POD MEM REQ   SCHEDULED   MAX   NEEDED   ROOM   FITS   LIMITED BY
directus   100m          256Mi         4           10    6        16     yes    pods
`, out.String())
}
