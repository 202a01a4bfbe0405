package snapshot

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/rest"
	k8stesting "k8s.io/client-go/testing"
	aggregatorfake "k8s.io/kube-aggregator/pkg/client/clientset_generated/clientset/fake"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"
	metricsfake "k8s.io/metrics/pkg/client/clientset/versioned/fake"

	"github.com/kubectl-directus/kubectl-directus/pkg/kube"
)

func fakeClients(objects ...runtime.Object) (*kube.Clients, *fake.Clientset, *metricsfake.Clientset) {
	kubeClient := fake.NewClientset(objects...)
	metricsClient := metricsfake.NewSimpleClientset() // the metrics fake has no NewClientset
	return &kube.Clients{
		Kube:       kubeClient,
		Metrics:    metricsClient,
		Aggregator: aggregatorfake.NewClientset(),
		Discovery:  kubeClient.Discovery(),
		Config:     &rest.Config{Host: "https://127.0.0.1:6443"},
		Requests:   kube.NewRequestCounter(),
	}, kubeClient, metricsClient
}

func ptr[T any](v T) *T { return &v }

func shopObjects() []runtime.Object {
	labels := map[string]string{"app": "cms"}
	deploy := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "cms", Namespace: "shop", UID: "d1"},
		Spec: appsv1.DeploymentSpec{Replicas: ptr(int32(2)),
			Selector: &metav1.LabelSelector{MatchLabels: labels}},
	}
	rs := &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: "cms-7d9c5", Namespace: "shop",
		OwnerReferences: []metav1.OwnerReference{{Kind: "Deployment", Name: "cms",
			Controller: ptr(true)}}}}
	own := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "cms-7d9c5-q2xkz", Namespace: "shop",
		Labels: labels, OwnerReferences: []metav1.OwnerReference{{Kind: "ReplicaSet",
			Name: "cms-7d9c5", Controller: ptr(true)}}}}
	foreign := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "kv-0", Namespace: "shop",
		Labels: map[string]string{"app": "cms", "role": "kv"},
		OwnerReferences: []metav1.OwnerReference{{Kind: "StatefulSet", Name: "kv",
			Controller: ptr(true)}}}}
	other := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web-1", Namespace: "shop",
		Labels: map[string]string{"app": "web"}}}
	hpa := &autoscalingv2.HorizontalPodAutoscaler{
		ObjectMeta: metav1.ObjectMeta{Name: "cms", Namespace: "shop"},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{MaxReplicas: 10,
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1",
				Kind: "Deployment", Name: "cms"}},
	}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "shop"}}
	return []runtime.Object{ns, deploy, rs, own, foreign, other, hpa}
}

func TestGatherResolvesTargetPodsAndOwners(t *testing.T) {
	clients, _, metrics := fakeClients(shopObjects()...)
	metrics.PrependReactor("list", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, &metricsv1beta1.PodMetricsList{Items: []metricsv1beta1.PodMetrics{{
			ObjectMeta: metav1.ObjectMeta{Name: "cms-7d9c5-q2xkz", Namespace: "shop"}}}}, nil
	})

	snap, err := Gather(context.Background(), clients, Scope{Namespace: "shop"}, PartAll)
	require.NoError(t, err)
	require.Len(t, snap.HPAs, 1)

	target := snap.TargetOf(&snap.HPAs[0])
	assert.True(t, target.Found)
	assert.Equal(t, int32(2), target.SpecReplicas)
	assert.Equal(t, "app=cms", target.Selector.String())

	var names []string
	for _, pod := range snap.PodsOf(&snap.HPAs[0]) {
		names = append(names, pod.Name)
	}
	assert.ElementsMatch(t, []string{"cms-7d9c5-q2xkz", "kv-0"}, names)

	pods := snap.PodsOf(&snap.HPAs[0])
	for _, pod := range pods {
		kind, name := snap.Owner(pod)
		if pod.Name == "kv-0" {
			assert.Equal(t, []string{"StatefulSet", "kv"}, []string{kind, name})
		} else {
			assert.Equal(t, []string{"Deployment", "cms"}, []string{kind, name})
			assert.NotNil(t, snap.MetricsOf(pod))
		}
	}
}

func TestGatherMissingNamespace(t *testing.T) {
	clients, _, _ := fakeClients()
	_, err := Gather(context.Background(), clients, Scope{Namespace: "nope"}, PartAll)
	require.ErrorIs(t, err, ErrNamespaceNotFound)
	assert.Contains(t, err.Error(), `"nope"`)
}

func TestGatherRecordsForbiddenListAsGap(t *testing.T) {
	clients, kubeClient, _ := fakeClients(shopObjects()...)
	kubeClient.PrependReactor("list", "events", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "events"}, "",
			errors.New("no"))
	})

	snap, err := Gather(context.Background(), clients, Scope{Namespace: "shop"}, PartAll)
	require.NoError(t, err)

	gap, ok := snap.GapFor("events")
	require.True(t, ok)
	assert.True(t, gap.Forbidden)
	assert.Equal(t, "missing permission: list events in namespace shop", gap.String())
	assert.Len(t, snap.HPAs, 1, "other lists still succeed")
}

func TestGatherFiltersByHPAName(t *testing.T) {
	clients, _, _ := fakeClients(shopObjects()...)
	snap, err := Gather(context.Background(), clients,
		Scope{Namespace: "shop", HPAName: "other"}, PartAll)
	require.NoError(t, err)
	assert.Empty(t, snap.HPAs)
}
