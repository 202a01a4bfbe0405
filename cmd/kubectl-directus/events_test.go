package main

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	k8stesting "k8s.io/client-go/testing"
)

const cpuAbove = "cpu resource utilization (percentage of request) above target"

// event makes an event about kind/name, first seen ago first and last seen ago last.
func (f *fixture) event(name, kind, object, eventType, reason, message string, first,
	last time.Duration, count int32) *corev1.Event {
	return &corev1.Event{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "shop", UID: types.UID(name),
			ResourceVersion: "1"},
		InvolvedObject: corev1.ObjectReference{Kind: kind, Name: object, Namespace: "shop"},
		Type:           eventType, Reason: reason, Message: message, Count: count,
		FirstTimestamp: metav1.NewTime(f.now.Add(-first)),
		LastTimestamp:  metav1.NewTime(f.now.Add(-last)),
	}
}

// scalingEvents: metrics failed for two minutes at first, then the HPA went 2 → 4 → 6 → 5;
// the Deployment's replica set events say it started from 2; a pod event is unrelated.
func (f *fixture) scalingEvents() []runtime.Object {
	const hpa, deploy = "HorizontalPodAutoscaler", "Deployment"
	return []runtime.Object{
		f.event("e1", hpa, "directus", "Warning", "FailedGetResourceMetric",
			"failed to get cpu utilization: unable to get metrics for resource cpu: no "+
				"metrics returned from resource metrics API", 40*time.Minute, 38*time.Minute, 5),
		f.event("e2", hpa, "directus", "Normal", "SuccessfulRescale",
			"New size: 4; reason: "+cpuAbove, 30*time.Minute, 30*time.Minute, 1),
		f.event("e3", deploy, "directus", "Normal", "ScalingReplicaSet",
			"Scaled up replica set directus-7d9c5 from 2 to 4", 30*time.Minute, 30*time.Minute, 1),
		f.event("e4", hpa, "directus", "Normal", "SuccessfulRescale",
			"New size: 6; reason: "+cpuAbove, 25*time.Minute, 25*time.Minute, 1),
		f.event("e5", deploy, "directus", "Normal", "ScalingReplicaSet",
			"Scaled up replica set directus-7d9c5 from 4 to 6", 25*time.Minute, 25*time.Minute, 1),
		f.event("e6", hpa, "directus", "Normal", "SuccessfulRescale",
			"New size: 5; reason: All metrics below target", 5*time.Minute, 5*time.Minute, 1),
		f.event("e7", "Pod", "directus-a", "Normal", "Pulled", "Container image pulled",
			9*time.Minute, 9*time.Minute, 1),
	}
}

func runEvents(t *testing.T, f *fixture, ctx context.Context, prepare func(*eventsOptions),
	args ...string) (string, string, error) {
	t.Helper()
	streams, out, errOut := testStreams()
	clients, _ := f.clients(f.scalingEvents()...)
	opts := &eventsOptions{viewOptions: newViewOptions(streams)}
	f.prepared(t, &opts.viewOptions, clients)
	if prepare != nil {
		prepare(opts)
	}
	cmd := newCmdEvents(streams, genericclioptions.NewConfigFlags(true), opts)
	cmd.SetArgs(append([]string{}, args...))
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.ExecuteContext(ctx)
	return out.String(), errOut.String(), err
}

const eventsList = `HPA        LAST SEEN           TYPE      REASON                    OBJECT                             MESSAGE
directus   38m (x5 over 40m)   Warning   FailedGetResourceMetric   HorizontalPodAutoscaler/directus   failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API
directus   30m                 Normal    ScalingReplicaSet         Deployment/directus                Scaled up replica set directus-7d9c5 from 2 to 4
directus   30m                 Normal    SuccessfulRescale         HorizontalPodAutoscaler/directus   New size: 4; reason: cpu resource utilization (percentage of request) above target
directus   25m                 Normal    ScalingReplicaSet         Deployment/directus                Scaled up replica set directus-7d9c5 from 4 to 6
directus   25m                 Normal    SuccessfulRescale         HorizontalPodAutoscaler/directus   New size: 6; reason: cpu resource utilization (percentage of request) above target
directus   5m                  Normal    SuccessfulRescale         HorizontalPodAutoscaler/directus   New size: 5; reason: All metrics below target
`

func TestEventsTable(t *testing.T) {
	out, errOut, err := runEvents(t, newFixture(), context.Background(), nil, "directus")
	require.NoError(t, err)
	// The chart spans the 40 minutes since the first event, 40 s a column. A column shows
	// the highest count of its slice [start, end): 2 in columns 0-14, 4 from column 15 (its
	// slice starts at the step, 10m in), 6 in columns 22-52, 5 in columns 53-59.
	want := eventsList + `
HPA        AGE   FROM   TO   REASON
directus   30m   2      4    cpu resource utilization (percentage of request) above target
directus   25m   4      6    cpu resource utilization (percentage of request) above target
directus   5m    6      5    All metrics below target

Replicas of shop/directus (Deployment/directus, min 2, max 10)
6 ┤                      ███████████████████████████████
5 ┤                      ██████████████████████████████████████
4 ┤               █████████████████████████████████████████████
3 ┤               █████████████████████████████████████████████
2 ┤████████████████████████████████████████████████████████████
1 ┤████████████████████████████████████████████████████████████
  └────────────────────────────────────────────────────────────
  40m ago                                                   now
`
	assert.Equal(t, want, out)
	assert.Empty(t, errOut)
}

func TestEventsFormats(t *testing.T) {
	for _, format := range []string{"json", "yaml"} {
		t.Run(format, func(t *testing.T) {
			out, _, err := runEvents(t, newFixture(), context.Background(), nil, "-o", format)
			require.NoError(t, err)
			goldenFile(t, "events."+format, out)
		})
	}
}

// TestEventsWatch lists, then follows: a repeat of a listed event is skipped, an unrelated
// event is skipped, a new rescale and an updated warning are printed in the list's columns.
func TestEventsWatch(t *testing.T) {
	f := newFixture()
	watcher := watch.NewFake()
	watching := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	prepare := func(o *eventsOptions) {
		o.clients.Kube.(interface {
			PrependWatchReactor(string, k8stesting.WatchReactionFunc)
		}).PrependWatchReactor("events", func(k8stesting.Action) (bool, watch.Interface, error) {
			close(watching)
			return true, watcher, nil
		})
	}
	done := make(chan struct{})
	var out, errOut string
	var err error
	go func() {
		defer close(done)
		out, errOut, err = runEvents(t, f, ctx, prepare, "directus", "--watch")
	}()

	<-watching
	events := f.scalingEvents()
	watcher.Add(events[1]) // listed already
	watcher.Add(events[6]) // a pod's event
	watcher.Add(f.event("e8", "HorizontalPodAutoscaler", "directus", "Normal", "SuccessfulRescale",
		"New size: 7; reason: "+cpuAbove, 0, 0, 1))
	updated := events[0].(*corev1.Event).DeepCopy()
	updated.ResourceVersion, updated.Count = "2", 6
	updated.LastTimestamp = metav1.NewTime(f.now)
	watcher.Modify(updated)
	cancel()
	<-done

	require.NoError(t, err)
	followed := out[len(out)-len(followedWant):]
	assert.Equal(t, followedWant, followed)
	assert.Equal(t, "notice: following new events; Ctrl-C to stop\n", errOut)
}

const followedWant = `
HPA        LAST SEEN           TYPE      REASON                    OBJECT                             MESSAGE
directus   0s                  Normal    SuccessfulRescale         HorizontalPodAutoscaler/directus   New size: 7; reason: cpu resource utilization (percentage of request) above target
directus   0s (x6 over 40m)    Warning   FailedGetResourceMetric   HorizontalPodAutoscaler/directus   failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API
`
