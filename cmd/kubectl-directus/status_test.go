package main

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	k8stesting "k8s.io/client-go/testing"
)

// statusObjects adds two HPAs to the fixture: one whose metrics fail, one held at max.
func (f *fixture) statusObjects() []runtime.Object {
	broken := f.hpa()
	broken.Name = "api"
	broken.Spec.ScaleTargetRef.Name = "api"
	broken.CreationTimestamp = metav1.NewTime(f.now.Add(-50 * time.Second))
	broken.Status = autoscalingv2.HorizontalPodAutoscalerStatus{
		CurrentReplicas: 2, DesiredReplicas: 0,
		CurrentMetrics: []autoscalingv2.MetricStatus{{Type: autoscalingv2.ResourceMetricSourceType},
			{Type: autoscalingv2.ResourceMetricSourceType}},
		Conditions: []autoscalingv2.HorizontalPodAutoscalerCondition{
			{Type: autoscalingv2.AbleToScale, Status: corev1.ConditionTrue,
				Reason: "SucceededGetScale"},
			{Type: autoscalingv2.ScalingActive, Status: corev1.ConditionFalse,
				Reason:  "FailedGetResourceMetric",
				Message: "the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API"},
		},
	}

	full := f.hpa()
	full.Name = "worker"
	full.Spec.ScaleTargetRef.Name = "worker"
	full.Spec.MinReplicas = nil
	full.Spec.Metrics = full.Spec.Metrics[:1]
	full.Status.CurrentMetrics = []autoscalingv2.MetricStatus{utilizationStatus("cpu", 190)}
	full.Status.CurrentReplicas, full.Status.DesiredReplicas = 10, 10
	full.Status.Conditions = append(full.Status.Conditions[:2],
		autoscalingv2.HorizontalPodAutoscalerCondition{Type: autoscalingv2.ScalingLimited,
			Status: corev1.ConditionTrue, Reason: "TooManyReplicas"})
	return []runtime.Object{broken, full}
}

func runStatus(t *testing.T, f *fixture, extra []runtime.Object, args ...string) (string,
	string, error) {
	t.Helper()
	streams, out, errOut := testStreams()
	clients, _ := f.clients(extra...)
	opts := &statusOptions{viewOptions: newViewOptions(streams)}
	f.prepared(t, &opts.viewOptions, clients)
	cmd := newCmdStatus(streams, genericclioptions.NewConfigFlags(true), opts)
	cmd.SetArgs(append([]string{}, args...))
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

func TestStatusTable(t *testing.T) {
	f := newFixture()
	out, errOut, err := runStatus(t, f, f.statusObjects())
	require.NoError(t, err)
	assert.Equal(t, `NAME       REFERENCE             TARGETS                                     MINPODS   MAXPODS   REPLICAS   DESIRED   HEALTH       REASON                    LAST SCALE   AGE
api        Deployment/api        cpu: <unknown>/70%, memory: <unknown>/80%   2         10        2          0         NO-METRICS   FailedGetResourceMetric   <none>       50s
directus   Deployment/directus   cpu: 165%/70%, memory: 42%/80%              2         10        5          5         OK           ValidMetricFound          3m           120m
worker     Deployment/worker     cpu: 190%/70%                               <unset>   10        10         10        AT-MAX       TooManyReplicas           3m           120m
`, out)
	assert.Empty(t, errOut)
}

func TestStatusFormats(t *testing.T) {
	f := newFixture()
	for _, format := range []string{"json", "yaml"} {
		t.Run(format, func(t *testing.T) {
			out, _, err := runStatus(t, f, f.statusObjects(), "-o", format)
			require.NoError(t, err)
			goldenFile(t, "status."+format, out)
		})
	}
}

func TestStatusAllNamespacesNoHeaders(t *testing.T) {
	f := newFixture()
	out, _, err := runStatus(t, f, nil, "-A", "--no-headers")
	require.NoError(t, err)
	assert.Equal(t, "shop   directus   Deployment/directus   cpu: 165%/70%, memory: 42%/80%   2   "+
		"10   5   5   OK   ValidMetricFound   3m   120m\n", out)
}

func TestStatusNoHPA(t *testing.T) {
	f := newFixture()
	f.objects = f.objects[:1] // the namespace alone
	out, errOut, err := runStatus(t, f, nil)
	require.NoError(t, err)
	assert.Equal(t, "NAME   REFERENCE   TARGETS   MINPODS   MAXPODS   REPLICAS   DESIRED   HEALTH   "+
		"REASON   LAST SCALE   AGE\n", out)
	assert.Equal(t, "notice: no HPA in namespace shop\n", errOut)
}

func TestStatusMissingNamespace(t *testing.T) {
	f := newFixture()
	f.objects = f.objects[1:]
	_, _, err := runStatus(t, f, nil)
	require.EqualError(t, err, `namespace not found: "shop" (list namespaces with `+
		"`kubectl get namespaces`, or pass -n)")
}

// TestStatusWatchOnTerminal: on a terminal every refresh clears the screen and redraws, and
// the HPA whose replicas changed is marked.
func TestStatusWatchOnTerminal(t *testing.T) {
	f := newFixture()
	streams, out, _ := testStreams()
	clients, kubeClient := f.clients()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := 0
	kubeClient.PrependReactor("list", "horizontalpodautoscalers", func(k8stesting.Action) (bool,
		runtime.Object, error) {
		calls++
		switch calls {
		case 2:
			hpa := f.hpa()
			hpa.Status.CurrentReplicas, hpa.Status.DesiredReplicas = 6, 6
			require.NoError(t, kubeClient.Tracker().Update(
				autoscalingv2.SchemeGroupVersion.WithResource("horizontalpodautoscalers"), hpa,
				"shop"))
		case 3:
			cancel()
		}
		return false, nil, nil
	})

	opts := &statusOptions{viewOptions: newViewOptions(streams)}
	f.prepared(t, &opts.viewOptions, clients)
	terminal := true
	opts.terminal = &terminal
	cmd := newCmdStatus(streams, genericclioptions.NewConfigFlags(true), opts)
	cmd.SetArgs([]string{"--watch", "--interval", "1s", "--no-headers"})
	require.NoError(t, cmd.ExecuteContext(ctx))

	frame := "Every 1s, at 15:04:05 (Ctrl-C to stop); * changed, + new, - gone since the " +
		"last refresh\n\n"
	assert.Equal(t, frame+
		"  directus   Deployment/directus   cpu: 165%/70%, memory: 42%/80%   2   10   5   5   "+
		"OK   ValidMetricFound   3m   120m\n"+
		clearScreen+frame+
		"* directus   Deployment/directus   cpu: 165%/70%, memory: 42%/80%   2   10   6   6   "+
		"OK   ValidMetricFound   3m   120m\n", out.String())
}
