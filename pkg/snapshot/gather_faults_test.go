package snapshot

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"
	k8stesting "k8s.io/client-go/testing"

	"github.com/kubectl-directus/kubectl-directus/pkg/kube"
)

// timedOut is what client-go returns when --request-timeout runs out before the headers.
var timedOut = &timeoutError{}

type timeoutError struct{}

func (*timeoutError) Error() string {
	return `Get "https://127.0.0.1:6443/apis/x": context deadline exceeded ` +
		`(Client.Timeout exceeded while awaiting headers)`
}
func (*timeoutError) Timeout() bool   { return true }
func (*timeoutError) Temporary() bool { return true }
func (*timeoutError) Unwrap() error   { return context.DeadlineExceeded }

func failWith(err error) k8stesting.ReactionFunc {
	return func(k8stesting.Action) (bool, runtime.Object, error) { return true, nil, err }
}

func TestGatherSlowMetricsBackendIsAGapNotAFailure(t *testing.T) {
	for name, err := range map[string]error{
		"client timeout": timedOut,
		"aggregator 504": apierrors.NewTimeoutError("the metrics backend did not answer", 0),
		"aggregator 503": apierrors.NewGenericServerResponse(http.StatusServiceUnavailable, "list",
			schema.GroupResource{Group: "metrics.k8s.io", Resource: "pods"}, "",
			"service unavailable", 0, true),
	} {
		t.Run(name, func(t *testing.T) {
			clients, _, metrics := fakeClients(shopObjects()...)
			metrics.PrependReactor("list", "pods", failWith(err))
			metrics.PrependReactor("list", "nodes", failWith(err))

			snap, gatherErr := Gather(context.Background(), clients, Scope{Namespace: "shop"},
				PartAll)
			require.NoError(t, gatherErr)
			assert.Len(t, snap.HPAs, 1)
			gap, ok := snap.GapFor(ResPodMetrics)
			require.True(t, ok)
			assert.ErrorIs(t, gap.Err, err)
			assert.Equal(t, err, snap.MetricsError)
		})
	}
}

func TestGatherUnreachableAPIServerIsOneClearError(t *testing.T) {
	refused := errors.New(`Get "https://127.0.0.1:6443/apis/autoscaling/v2/` +
		`horizontalpodautoscalers": dial tcp 127.0.0.1:6443: connect: connection refused`)
	for name, tc := range map[string]struct {
		err  error
		want string
	}{
		"refused":   {refused, "cannot reach the API server at https://127.0.0.1:6443: "},
		"timed out": {timedOut, "the API server at https://127.0.0.1:6443 did not answer in time"},
	} {
		t.Run(name, func(t *testing.T) {
			clients, kubeClient, _ := fakeClients(shopObjects()...)
			kubeClient.PrependReactor("*", "*", failWith(tc.err))

			for _, scope := range []Scope{{Namespace: "shop"}, {AllNamespaces: true}} {
				_, err := Gather(context.Background(), clients, scope, PartAll)
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.want)
				assert.ErrorIs(t, err, tc.err)
			}
		})
	}
}

// forbidList forbids list on resource, only cluster-wide when clusterWide is set.
func forbidList(resource string, clusterWide bool) k8stesting.ReactionFunc {
	return func(a k8stesting.Action) (bool, runtime.Object, error) {
		if clusterWide && a.GetNamespace() != "" {
			return false, nil, nil
		}
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Group: "apps",
			Resource: resource}, "", errors.New("no RBAC rule allows it"))
	}
}

func TestGatherNamespaceViewerStillResolvesTargets(t *testing.T) {
	clients, kubeClient, _ := fakeClients(shopObjects()...)
	kubeClient.PrependReactor("list", "deployments", forbidList("deployments", true))

	snap, err := Gather(context.Background(), clients, Scope{Namespace: "shop"}, PartAll)
	require.NoError(t, err)

	target := snap.TargetOf(&snap.HPAs[0])
	assert.True(t, target.Found)
	_, blocked := snap.GapFor(ResDeployments)
	assert.False(t, blocked, "the metrics-server search must not hide the namespace's list")
	gap, ok := snap.GapFor(ResMetricsServers)
	require.True(t, ok)
	assert.Equal(t, "missing permission: list deployments.apps (named metrics-server) "+
		"cluster-wide", gap.String())
}

func TestGatherTargetBehindAMissingPermissionIsUnknownNotAbsent(t *testing.T) {
	clients, kubeClient, _ := fakeClients(shopObjects()...)
	kubeClient.PrependReactor("list", "deployments", forbidList("deployments", false))

	snap, err := Gather(context.Background(), clients, Scope{Namespace: "shop"}, PartAll)
	require.NoError(t, err)

	target := snap.TargetOf(&snap.HPAs[0])
	assert.False(t, target.Found)
	require.Error(t, target.Err)
	assert.True(t, apierrors.IsForbidden(target.Err))
	assert.Equal(t, "missing permission: list deployments.apps in namespace shop",
		target.Err.Error())
}

func TestNoScaleSubresourceToldFromAMissingObject(t *testing.T) {
	bare := apierrors.NewGenericServerResponse(http.StatusNotFound, "get",
		schema.GroupResource{}, "", "", 0, false)
	named := apierrors.NewNotFound(schema.GroupResource{Group: "apps", Resource: "daemonsets"},
		"agent")

	assert.True(t, noScaleSubresource(bare), bare.Error())
	assert.False(t, noScaleSubresource(named), named.Error())
	assert.False(t, noScaleSubresource(timedOut))
}

func TestGatherDropsManagedFieldsOnlyWhereNoCheckReadsThem(t *testing.T) {
	objects := shopObjects()
	entry := []metav1.ManagedFieldsEntry{{Manager: "kubectl",
		Operation: metav1.ManagedFieldsOperationApply}}
	for _, obj := range objects {
		obj.(metav1.Object).SetManagedFields(entry)
	}
	clients, _, _ := fakeClients(objects...)

	snap, err := Gather(context.Background(), clients, Scope{Namespace: "shop"}, PartAll)
	require.NoError(t, err)

	for _, pod := range snap.Pods {
		assert.Nil(t, pod.ManagedFields, pod.Name)
	}
	for _, rs := range snap.ReplicaSets {
		assert.Nil(t, rs.ManagedFields, rs.Name)
	}
	require.Len(t, snap.Deployments, 1)
	assert.Equal(t, entry, snap.Deployments[0].ManagedFields, "who owns spec.replicas is a check")
}

// silentServer accepts every request on loopback and never answers, like an API server
// behind a hung load balancer.
func silentServer(t *testing.T) string {
	t.Helper()
	server := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	t.Cleanup(server.Close)
	return server.URL
}

// TestGatherSilentAPIServerEndsWithinTheRequestTimeout: every read, the streamed pod list
// included, gives up with --request-timeout, and the first fatal one ends the others; the
// bound leaves room for a slow machine, far below the minute retries used to take.
func TestGatherSilentAPIServerEndsWithinTheRequestTimeout(t *testing.T) {
	host := silentServer(t)
	for _, scope := range []Scope{{AllNamespaces: true}, {Namespace: "shop"}} {
		clients, err := kube.NewClientsForConfig(&rest.Config{Host: host,
			Timeout: 500 * time.Millisecond})
		require.NoError(t, err)

		start := time.Now()
		_, err = Gather(context.Background(), clients, scope, PartAll)

		require.Error(t, err)
		assert.Contains(t, err.Error(), "did not answer in time")
		assert.Less(t, time.Since(start), 5*time.Second, "scope %+v", scope)
	}
}

func TestResolveHPANameTakesTheReleaseHPA(t *testing.T) {
	hpas := func(names ...string) []autoscalingv2.HorizontalPodAutoscaler {
		var out []autoscalingv2.HorizontalPodAutoscaler
		for _, n := range names {
			out = append(out, autoscalingv2.HorizontalPodAutoscaler{
				ObjectMeta: metav1.ObjectMeta{Name: n}})
		}
		return out
	}
	assert.Equal(t, "cms-directus", ResolveHPAName(hpas("web", "cms-directus"), "cms"))
	assert.Equal(t, "cms", ResolveHPAName(hpas("cms", "cms-directus"), "cms"),
		"an HPA of that very name wins")
	assert.Equal(t, "blog", ResolveHPAName(hpas("cms-directus"), "blog"), "no match: unchanged")
}
