package load

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/klog/v2"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// rescaleReason is the reason of the controller's event for a successful rescale.
const rescaleReason = "SuccessfulRescale"

// sameRescale is how far apart an event's time and status.lastScaleTime may be and still
// describe one rescale: both have one-second resolution and are written moments apart.
const sameRescale = 2 * time.Second

// Observer samples one HPA into a time series and collects its rescales: three reads per
// sample (the HPA, its target Deployment, the HPA's events).
type Observer struct {
	client    kubernetes.Interface
	namespace string
	name      string
	start     time.Time

	spec      HPASpec
	series    []Sample
	rescales  []Rescale
	seen      map[types.UID]int32 // event UID → count already recorded
	lastScale time.Time
	offset    time.Duration
}

// NewObserver watches HPA name in namespace; rescales before start are ignored.
func NewObserver(client kubernetes.Interface, namespace, name string, start time.Time) *Observer {
	return &Observer{client: client, namespace: namespace, name: name, start: start,
		seen: map[types.UID]int32{}}
}

// SetClockOffset sets the cluster's clock minus ours; event and status times are shifted
// by it onto our clock, the one samples are taken with.
func (o *Observer) SetClockOffset(offset time.Duration) { o.offset = offset }

// Spec is the HPA's spec as last read.
func (o *Observer) Spec() HPASpec { return o.spec }

// Series returns the samples so far, oldest first.
func (o *Observer) Series() []Sample { return o.series }

// Rescales returns the rescales seen so far, oldest first.
func (o *Observer) Rescales() []Rescale { return o.rescales }

// Sample reads the HPA once, appends the sample and returns it with the rescales that are
// new since the previous sample.
func (o *Observer) Sample(ctx context.Context) (Sample, []Rescale, error) {
	hpa, err := o.client.AutoscalingV2().HorizontalPodAutoscalers(o.namespace).Get(ctx,
		o.name, metav1.GetOptions{})
	if err != nil {
		return Sample{}, nil, fmt.Errorf("reading HorizontalPodAutoscaler %s/%s: %w",
			o.namespace, o.name, err)
	}
	o.spec = SpecOf(hpa)

	now := time.Now()
	sample := sampleOf(hpa, now, o.start)
	sample.ReadyPods = o.readyPods(ctx, hpa)
	o.series = append(o.series, sample)

	before := len(o.rescales)
	o.collectEvents(ctx)
	o.collectLastScale(hpa)
	return sample, o.rescales[before:], nil
}

// sampleOf turns the HPA's status into a sample.
func sampleOf(hpa *autoscalingv2.HorizontalPodAutoscaler, now, start time.Time) Sample {
	s := Sample{At: now, Seconds: now.Sub(start).Seconds(),
		CurrentReplicas: hpa.Status.CurrentReplicas, DesiredReplicas: hpa.Status.DesiredReplicas,
		ReadyPods: -1, Metrics: metricSamples(hpa)}

	for _, c := range hpa.Status.Conditions {
		switch {
		case c.Type == autoscalingv2.ScalingLimited && c.Status == corev1.ConditionTrue &&
			c.Reason == "TooManyReplicas":
			s.LimitedByMax = true
		case (c.Type == autoscalingv2.AbleToScale || c.Type == autoscalingv2.ScalingActive) &&
			c.Status == corev1.ConditionFalse:
			s.Problem = c.Reason + ": " + c.Message
		}
	}
	return s
}

// readyPods reads the ready replicas of a Deployment target; -1 for other kinds or when the
// read fails (the sample is still useful without it).
func (o *Observer) readyPods(ctx context.Context,
	hpa *autoscalingv2.HorizontalPodAutoscaler) int32 {
	ref := hpa.Spec.ScaleTargetRef
	if ref.Kind != "Deployment" {
		return -1
	}
	d, err := o.client.AppsV1().Deployments(o.namespace).Get(ctx, ref.Name, metav1.GetOptions{})
	if err != nil {
		klog.V(2).Infof("reading Deployment %s/%s: %v", o.namespace, ref.Name, err)
		return -1
	}
	return d.Status.ReadyReplicas
}

// collectEvents records every new occurrence of a SuccessfulRescale event since the start.
// The event recorder folds repeats of one message into one event with a count, so a count
// that grew is a new rescale at the event's last time.
func (o *Observer) collectEvents(ctx context.Context) {
	selector := fields.Set{"involvedObject.kind": "HorizontalPodAutoscaler",
		"involvedObject.name": o.name, "reason": rescaleReason}.AsSelector().String()
	list, err := o.client.CoreV1().Events(o.namespace).List(ctx,
		metav1.ListOptions{FieldSelector: selector})
	if err != nil {
		klog.V(2).Infof("listing events of HorizontalPodAutoscaler %s/%s: %v", o.namespace,
			o.name, err)
		return
	}

	for i := range list.Items {
		ev := &list.Items[i]
		if !o.isRescaleEvent(ev) {
			continue
		}
		at, count := snapshot.EventTime(ev).Add(-o.offset), snapshot.EventCount(ev)
		if count <= o.seen[ev.UID] || at.Before(o.start.Add(-sameRescale)) {
			o.seen[ev.UID] = max(o.seen[ev.UID], count)
			continue
		}
		o.seen[ev.UID] = count
		if size, reason, ok := parseRescale(ev.Message); ok {
			o.addRescale(Rescale{At: at, To: size, Reason: reason})
		}
	}
}

// isRescaleEvent checks what the field selector asked for, since not every server (nor
// the fake clientset) applies it.
func (o *Observer) isRescaleEvent(ev *corev1.Event) bool {
	ref := ev.InvolvedObject
	return ev.Reason == rescaleReason && ref.Kind == "HorizontalPodAutoscaler" &&
		ref.Name == o.name
}

// collectLastScale records a rescale seen only through status.lastScaleTime, for when the
// event was dropped or could not be read. Its new size is the status' desired count, which
// holds until the next sync.
func (o *Observer) collectLastScale(hpa *autoscalingv2.HorizontalPodAutoscaler) {
	if hpa.Status.LastScaleTime == nil {
		return
	}
	last := hpa.Status.LastScaleTime.Add(-o.offset)
	if !last.After(o.start) || last.Equal(o.lastScale) {
		return
	}
	o.lastScale = last
	for _, r := range o.rescales {
		if absDuration(r.At.Sub(last)) <= sameRescale {
			return
		}
	}
	o.addRescale(Rescale{At: last, To: hpa.Status.DesiredReplicas})
}

// addRescale inserts r in time order, taking its starting size from the rescale before it
// or, for the first, from the last sample taken before it. An event-backed rescale replaces
// a status-only one for the same moment.
func (o *Observer) addRescale(r Rescale) {
	r.Seconds = r.At.Sub(o.start).Seconds()
	kept := o.rescales[:0]
	for _, old := range o.rescales {
		if old.Reason == "" && r.Reason != "" && absDuration(old.At.Sub(r.At)) <= sameRescale {
			continue
		}
		kept = append(kept, old)
	}
	o.rescales = kept

	at := len(o.rescales)
	for at > 0 && o.rescales[at-1].At.After(r.At) {
		at--
	}
	o.rescales = append(o.rescales[:at], append([]Rescale{r}, o.rescales[at:]...)...)
	o.refreshFrom()
}

func (o *Observer) refreshFrom() {
	for i := range o.rescales {
		if i > 0 {
			o.rescales[i].From = o.rescales[i-1].To
			continue
		}
		o.rescales[i].From = o.replicasBefore(o.rescales[i].At)
	}
}

// replicasBefore is the replica count of the last sample taken before t, or of the first
// sample when none was.
func (o *Observer) replicasBefore(t time.Time) int32 {
	if len(o.series) == 0 {
		return 0
	}
	replicas := o.series[0].CurrentReplicas
	for _, s := range o.series {
		if !s.At.Before(t) {
			break
		}
		replicas = s.CurrentReplicas
	}
	return replicas
}

// parseRescale reads "New size: N; reason: R".
func parseRescale(message string) (int32, string, bool) {
	rest, ok := strings.CutPrefix(message, "New size: ")
	if !ok {
		return 0, "", false
	}
	sizeText, reason, _ := strings.Cut(rest, "; reason: ")
	size, err := strconv.ParseInt(strings.TrimSpace(sizeText), 10, 32)
	if err != nil {
		return 0, "", false
	}
	return int32(size), reason, true
}

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
