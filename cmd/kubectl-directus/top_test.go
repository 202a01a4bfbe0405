package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	apiregistrationv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	aggregatorfake "k8s.io/kube-aggregator/pkg/client/clientset_generated/clientset/fake"

	"github.com/kubectl-directus/kubectl-directus/pkg/kube"
)

// runTop runs `top` with args over the fixture and returns stdout and stderr.
func runTop(t *testing.T, f *fixture, args ...string) (string, string, error) {
	t.Helper()
	clients, _ := f.clients()
	return runTopWith(t, f, clients, context.Background(), args...)
}

func runTopWith(t *testing.T, f *fixture, clients *kube.Clients, ctx context.Context,
	args ...string) (string, string, error) {
	t.Helper()
	streams, out, errOut := testStreams()
	opts := newTopOptions(streams)
	f.prepared(t, &opts.viewOptions, clients)
	cmd := newCmdTop(streams, genericclioptions.NewConfigFlags(true), opts)
	cmd.SetArgs(append([]string{}, args...))
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	cmd.SetOut(out)
	cmd.SetErr(errOut)
	err := cmd.ExecuteContext(ctx)
	return out.String(), errOut.String(), err
}

const topMetricsTable = `
HPA        METRIC   NOW    HPA STATUS   TARGET   COUNTED   UNREADY   MISSING   IGNORED   PROPOSES   CURRENT   DESIRED
directus   cpu      165%   165%         70%      2         2         1         0         5          5         5
directus   memory   42%    42%          80%      3         1         1         0         3          5         5
`

func TestTopTable(t *testing.T) {
	out, errOut, err := runTop(t, newFixture())
	require.NoError(t, err)

	want := `HPA        POD          PHASE     READY    CPU         CPU REQ   CPU%        MEMORY      MEM REQ   MEM%        TREATED AS
directus   directus-a   Running   True     181m        100m      181%        120Mi       256Mi     46%         counted
directus   directus-b   Running   True     150m        100m      150%        100Mi       256Mi     39%         counted
directus   directus-c   Running   False    50m         100m      50%         110Mi       256Mi     42%         cpu: unready (NeverReady); memory: counted
directus   directus-d   Running   True     <unknown>   100m      <unknown>   <unknown>   256Mi     <unknown>   missing (NoSample)
directus   directus-e   Pending   <none>   <unknown>   100m      <unknown>   <unknown>   256Mi     <unknown>   unready (Pending)
` + topMetricsTable
	assert.Equal(t, want, out)
	assert.Equal(t, `notice: pod shop/directus-d (HPA directus) has no metrics: it started 10m ago, so metrics-server fails to scrape it; check metrics-server's logs for its node "node-1"
notice: pod shop/directus-e (HPA directus) has no metrics: it is Pending; metrics start once it runs
`, errOut)
}

func TestTopSortByAndNoHeaders(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{{
		args: []string{"--sort-by", "cpu", "--no-headers"},
		want: `directus   directus-a   Running   True     181m        100m   181%        120Mi       256Mi   46%         counted
directus   directus-b   Running   True     150m        100m   150%        100Mi       256Mi   39%         counted
directus   directus-c   Running   False    50m         100m   50%         110Mi       256Mi   42%         cpu: unready (NeverReady); memory: counted
directus   directus-d   Running   True     <unknown>   100m   <unknown>   <unknown>   256Mi   <unknown>   missing (NoSample)
directus   directus-e   Pending   <none>   <unknown>   100m   <unknown>   <unknown>   256Mi   <unknown>   unready (Pending)

directus   cpu      165%   165%   70%   2   2   1   0   5   5   5
directus   memory   42%    42%    80%   3   1   1   0   3   5   5
`,
	}, {
		args: []string{"--sort-by", "memory", "--no-headers"},
		want: `directus   directus-a   Running   True     181m        100m   181%        120Mi       256Mi   46%         counted
directus   directus-c   Running   False    50m         100m   50%         110Mi       256Mi   42%         cpu: unready (NeverReady); memory: counted
directus   directus-b   Running   True     150m        100m   150%        100Mi       256Mi   39%         counted
directus   directus-d   Running   True     <unknown>   100m   <unknown>   <unknown>   256Mi   <unknown>   missing (NoSample)
directus   directus-e   Pending   <none>   <unknown>   100m   <unknown>   <unknown>   256Mi   <unknown>   unready (Pending)

directus   cpu      165%   165%   70%   2   2   1   0   5   5   5
directus   memory   42%    42%    80%   3   1   1   0   3   5   5
`,
	}}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			out, _, err := runTop(t, newFixture(), tt.args...)
			require.NoError(t, err)
			assert.Equal(t, tt.want, out)
		})
	}
}

// TestTopContainers gives pod a a native sidecar: its request joins the pod's (as the
// controller sums it) and it gets a row of its own.
func TestTopContainers(t *testing.T) {
	f := newFixture()
	always := corev1.ContainerRestartPolicyAlways
	sidecar := corev1.Container{Name: "proxy", RestartPolicy: &always,
		Resources: podSpec().Containers[0].Resources}
	pod := f.objects[3].(*corev1.Pod)
	pod.Spec.InitContainers = []corev1.Container{sidecar}
	f.metrics[0].Containers = append(f.metrics[0].Containers, f.sample("x", "19m", "8Mi").Containers[0])
	f.metrics[0].Containers[1].Name = "proxy"

	out, _, err := runTop(t, f, "directus", "--containers")
	require.NoError(t, err)
	want := `HPA        POD          CONTAINER   PHASE     READY    CPU         CPU REQ   CPU%        MEMORY      MEM REQ   MEM%        TREATED AS
directus   directus-a   directus    Running   True     181m        100m      181%        120Mi       256Mi     46%         counted
directus   directus-a   proxy       Running   True     19m         100m      19%         8Mi         256Mi     3%          counted
directus   directus-b   directus    Running   True     150m        100m      150%        100Mi       256Mi     39%         counted
directus   directus-c   directus    Running   False    50m         100m      50%         110Mi       256Mi     42%         cpu: unready (NeverReady); memory: counted
directus   directus-d   directus    Running   True     <unknown>   100m      <unknown>   <unknown>   256Mi     <unknown>   missing (NoSample)
directus   directus-e   directus    Pending   <none>   <unknown>   100m      <unknown>   <unknown>   256Mi     <unknown>   unready (Pending)

HPA        METRIC   NOW    HPA STATUS   TARGET   COUNTED   UNREADY   MISSING   IGNORED   PROPOSES   CURRENT   DESIRED
directus   cpu      116%   165%         70%      2         2         1         0         5          5         5
directus   memory   33%    42%          80%      3         1         1         0         3          5         5
`
	// cpu counts a (request 200m with the sidecar) and b (100m): 350m / 300m = 116 %.
	// memory counts a, b and c: (128+100+110)Mi / (512+256+256)Mi = 338/1024 = 33 %.
	assert.Equal(t, want, out)
}

func TestTopAllNamespaces(t *testing.T) {
	out, _, err := runTop(t, newFixture(), "-A", "--sort-by", "cpu")
	require.NoError(t, err)
	lines := strings.Split(out, "\n")
	assert.Equal(t, "NAMESPACE   HPA        POD          PHASE     READY    CPU         CPU REQ   "+
		"CPU%        MEMORY      MEM REQ   MEM%        TREATED AS", lines[0])
	assert.Equal(t, "shop        directus   directus-a   Running   True     181m        100m      "+
		"181%        120Mi       256Mi     46%         counted", lines[1])
	assert.Equal(t, "NAMESPACE   HPA        METRIC   NOW    HPA STATUS   TARGET   COUNTED   "+
		"UNREADY   MISSING   IGNORED   PROPOSES   CURRENT   DESIRED", lines[7])
}

func TestTopJSONAndYAML(t *testing.T) {
	for _, format := range []string{"json", "yaml"} {
		t.Run(format, func(t *testing.T) {
			out, _, err := runTop(t, newFixture(), "-o", format)
			require.NoError(t, err)
			goldenFile(t, "top."+format, out)
		})
	}
}

func TestTopMetricsAPIMissing(t *testing.T) {
	f := newFixture()
	f.metricsErr = apierrors.NewGenericServerResponse(404, "get",
		schema.GroupResource{Group: "metrics.k8s.io", Resource: "pods"}, "", "", 0, true)

	out, errOut, err := runTop(t, f, "--no-headers")
	require.NoError(t, err, "missing metrics are reported, not an error")
	want := `directus   directus-a   Running   True     <unknown>   100m   <unknown>   <unknown>   256Mi   <unknown>   not computed
directus   directus-b   Running   True     <unknown>   100m   <unknown>   <unknown>   256Mi   <unknown>   not computed
directus   directus-c   Running   False    <unknown>   100m   <unknown>   <unknown>   256Mi   <unknown>   not computed
directus   directus-d   Running   True     <unknown>   100m   <unknown>   <unknown>   256Mi   <unknown>   not computed
directus   directus-e   Pending   <none>   <unknown>   100m   <unknown>   <unknown>   256Mi   <unknown>   not computed

directus   cpu      <unknown>   165%   70%   0   0   0   0   <unknown>   5   5
directus   memory   <unknown>   42%    80%   0   0   0   0   <unknown>   5   5

HPA shop/directus, cpu: failed to get cpu resource metric value: failed to get cpu utilization: unable to get metrics for resource cpu: unable to fetch metrics from resource metrics API: the server could not find the requested resource (get pods.metrics.k8s.io)
HPA shop/directus, memory: failed to get memory resource metric value: failed to get memory utilization: unable to get metrics for resource memory: unable to fetch metrics from resource metrics API: the server could not find the requested resource (get pods.metrics.k8s.io)
`
	assert.Equal(t, want, out)
	assert.Equal(t, "notice: metrics are unavailable, usage shows as <unknown>: the metrics "+
		"API is not installed (no APIService v1beta1.metrics.k8s.io); install metrics-server\n",
		errOut)
}

func TestTopAPIServiceUnavailable(t *testing.T) {
	f := newFixture()
	f.metricsErr = apierrors.NewServiceUnavailable("the server is currently unable to handle " +
		"the request (get pods.metrics.k8s.io)")
	clients, _ := f.clients()
	api := &apiregistrationv1.APIService{
		ObjectMeta: metav1.ObjectMeta{Name: "v1beta1.metrics.k8s.io"},
		Spec: apiregistrationv1.APIServiceSpec{Group: "metrics.k8s.io", Version: "v1beta1",
			Service: &apiregistrationv1.ServiceReference{Namespace: "kube-system",
				Name: "metrics-server"}},
		Status: apiregistrationv1.APIServiceStatus{Conditions: []apiregistrationv1.APIServiceCondition{{
			Type: apiregistrationv1.Available, Status: apiregistrationv1.ConditionFalse,
			Reason: "MissingEndpoints", Message: "endpointslices for service/metrics-server " +
				`in "kube-system" have no addresses with port name "https"`,
		}}},
	}
	clients.Aggregator = aggregatorfake.NewClientset(api)

	_, errOut, err := runTopWith(t, f, clients, context.Background())
	require.NoError(t, err)
	assert.Equal(t, "notice: metrics are unavailable, usage shows as <unknown>: APIService "+
		"v1beta1.metrics.k8s.io is not available (Available=False MissingEndpoints: "+
		`endpointslices for service/metrics-server in "kube-system" have no addresses with `+
		`port name "https"); check Service kube-system/metrics-server and its pods`+"\n", errOut)
}

func TestTopPodTooNew(t *testing.T) {
	f := newFixture()
	young := f.now.Add(-40 * time.Second)
	f.objects = append(f.objects, f.pod("directus-f", corev1.PodRunning, &young,
		corev1.ConditionTrue))

	out, errOut, err := runTop(t, f, "--no-headers")
	require.NoError(t, err)
	assert.Contains(t, out, "directus   directus-f   Running   True     <unknown>   100m   "+
		"<unknown>   <unknown>   256Mi   <unknown>   missing (NoSample)\n")
	assert.Contains(t, errOut, "notice: pod shop/directus-f (HPA directus) has no metrics: it "+
		"started 40s ago, too recently for metrics-server's first sample (allow 2m)\n")
}

func TestTopErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"nope"}, `horizontalpodautoscaler "nope" not found in namespace "shop" ` +
			"(list them with `kubectl get hpa -n shop`)"},
		{[]string{"--sort-by", "disk"}, `unknown --sort-by "disk": use cpu or memory`},
		{[]string{"-o", "wide"}, `unknown output format "wide" for --output: use json or ` +
			"yaml, or leave -o out for a table"},
		{[]string{"-A", "directus"}, "an HPA name and --all-namespaces do not go together: " +
			"name the HPA with -n NAMESPACE, or drop the name"},
		{[]string{"--watch", "--interval", "100ms"}, "--interval 100ms is too short: use 1s " +
			"or more (the HPA itself changes every 15s)"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, _, err := runTop(t, newFixture(), tt.args...)
			require.EqualError(t, err, tt.want)
		})
	}
}

// TestTopWatch changes pod b's usage before the second refresh and stops during the third:
// the second frame marks the rows that changed.
func TestTopWatch(t *testing.T) {
	f := newFixture()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// cpu then counts 431m / 200m = 215 %; filled with the unready and missing pods at 0:
	// 431m / 500m = 86 %, ratio 86/70 = 1.229, ceil(1.229 × 5) = 7.
	f.onMetricsList = func(call int) {
		switch call {
		case 2:
			f.setUsage("directus-b", "250m", "100Mi")
		case 3:
			cancel()
		}
	}
	clients, _ := f.clients()

	out, _, err := runTopWith(t, f, clients, ctx, "--watch", "--interval", "1s", "--no-headers")
	require.NoError(t, err)
	frames := strings.Split(out, "\n\nEvery 1s")
	require.Len(t, frames, 2, out)
	clock := f.now.Format(time.TimeOnly)
	assert.Equal(t, `  directus   directus-a   Running   True     181m        100m   181%        120Mi       256Mi   46%         counted
* directus   directus-b   Running   True     250m        100m   250%        100Mi       256Mi   39%         counted
  directus   directus-c   Running   False    50m         100m   50%         110Mi       256Mi   42%         cpu: unready (NeverReady); memory: counted
  directus   directus-d   Running   True     <unknown>   100m   <unknown>   <unknown>   256Mi   <unknown>   missing (NoSample)
  directus   directus-e   Pending   <none>   <unknown>   100m   <unknown>   <unknown>   256Mi   <unknown>   unready (Pending)

* directus   cpu      215%   165%   70%   2   2   1   0   7   5   5
  directus   memory   42%    42%    80%   3   1   1   0   3   5   5
`, strings.TrimPrefix(frames[1], ", at "+clock+" (Ctrl-C to stop); * changed, + new, - gone "+
		"since the last refresh\n\n"))
	assert.True(t, strings.HasPrefix(frames[0], "Every 1s, at "+clock), frames[0])
}

// TestTopRefreshCostIsFixed counts the API calls of one refresh with 5 pods and with 105:
// the same, since top lists each kind once instead of reading per pod.
func TestTopRefreshCostIsFixed(t *testing.T) {
	calls := func(f *fixture) int {
		clients, kubeClient := f.clients()
		_, _, err := runTopWith(t, f, clients, context.Background())
		require.NoError(t, err)
		n := len(kubeClient.Actions()) + len(clients.Aggregator.(*aggregatorfake.Clientset).Actions())
		return n + f.metricsCalls
	}

	small := calls(newFixture())
	big := newFixture()
	started := big.now.Add(-time.Hour)
	for i := range 100 {
		name := fmt.Sprintf("directus-x%03d", i)
		big.objects = append(big.objects, big.pod(name, corev1.PodRunning, &started,
			corev1.ConditionTrue))
		big.metrics = append(big.metrics, big.sample(name, "70m", "90Mi"))
	}
	assert.Equal(t, small, calls(big))
	t.Logf("one refresh: %d API calls", small)
}

// TestTopTwoHPAsOnOnePod: the controller refuses to compute either HPA when their pods
// overlap; top says so instead of showing figures the controller does not compute.
func TestTopTwoHPAsOnOnePod(t *testing.T) {
	f := newFixture()
	other := f.hpa()
	other.Name = "other"
	f.objects = append(f.objects, other)

	out, _, err := runTop(t, f, "--no-headers")
	require.NoError(t, err)
	assert.Contains(t, out, "directus   cpu      <unknown>   165%   70%   0   0   0   0   "+
		"<unknown>   5   5\n")
	assert.Contains(t, out, "HPA shop/directus: metrics are not computed this cycle: pods by "+
		"selector app=directus are controlled by more than one HPA (e.g. [shop/directus "+
		"shop/other])\n")
	assert.Contains(t, out, "HPA shop/other: metrics are not computed this cycle: pods by "+
		"selector app=directus are controlled by more than one HPA (e.g. [shop/other "+
		"shop/directus])\n")
	assert.Contains(t, out, "directus   directus-a   Running   True     181m")
	assert.Contains(t, out, "not computed\n")
}
