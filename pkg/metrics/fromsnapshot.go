package metrics

import (
	"errors"
	"fmt"
	"strings"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// InputFromSnapshot assembles what the controller reads for hpa from a snapshot: the target's
// scale, the namespace's pods and pod metrics, the HPA's rescale events as history and the
// other HPAs of the namespace. A metrics list the user may not read becomes ErrNotObserved,
// not a controller failure. Settings holds the controller knobs, if known.
func InputFromSnapshot(snap *snapshot.Snapshot, hpa *autoscalingv2.HorizontalPodAutoscaler,
	settings Settings) Input {
	target := snap.TargetOf(hpa)
	in := Input{
		HPA: hpa, Settings: settings, Now: snap.Taken,
		Scale: Scale{SpecReplicas: target.SpecReplicas, StatusReplicas: target.StatusReplicas},
		Source: &ObservedSource{PodMetrics: snap.PodMetrics,
			PodMetricsErr: metricsError(snap), Namespace: hpa.Namespace},
		Peers: peers(snap, hpa),
	}
	if !target.Found {
		in.ScaleErr = scaleError(target)
		return in
	}
	if target.Selector != nil {
		in.Scale.Selector = target.Selector.String()
		in.Pods = snap.PodsMatching(hpa.Namespace, target.Selector)
	}

	in.History = HistoryFromEvents(EventHistoryInput{HPA: hpa,
		Events:  eventValues(snap.EventsFor(hpa.Namespace, "HorizontalPodAutoscaler", hpa.Name)),
		Current: target.SpecReplicas, Settings: settings, Now: snap.Taken})
	if gap, ok := snap.GapFor("events"); ok {
		in.History.Complete = false
		in.History.Gaps = append(in.History.Gaps, "rescale events could not be read: "+
			gap.String())
	}
	return in
}

// metricsError is the pod metrics list's error, marked not observed when it is ours (no
// permission) rather than the metrics API's.
func metricsError(snap *snapshot.Snapshot) error {
	err := snap.MetricsError
	if err == nil || !apierrors.IsForbidden(err) {
		return err
	}
	return fmt.Errorf("pod metrics could not be read (%v): %w", err, ErrNotObserved)
}

// scaleError words a missing target the way the API server does. A target whose list the
// user may not read is not observed: the controller itself may well read it.
func scaleError(target *snapshot.Target) error {
	var gap *snapshot.GapError
	if errors.As(target.Err, &gap) {
		return fmt.Errorf("the target could not be read (%v): %w", gap, ErrNotObserved)
	}
	if target.Err != nil {
		return target.Err
	}
	gv, _ := schema.ParseGroupVersion(target.Key.APIVersion)
	resource := schema.GroupResource{Group: gv.Group,
		Resource: strings.ToLower(target.Key.Kind) + "s"}
	return apierrors.NewNotFound(resource, target.Key.Name)
}

// peers lists the namespace's other HPAs with their targets' selectors.
func peers(snap *snapshot.Snapshot, hpa *autoscalingv2.HorizontalPodAutoscaler) []Peer {
	var out []Peer
	for i := range snap.HPAs {
		other := &snap.HPAs[i]
		if other.Namespace != hpa.Namespace || other.Name == hpa.Name {
			continue
		}
		if sel := snap.TargetOf(other).Selector; sel != nil {
			out = append(out, Peer{Name: other.Name, Selector: sel.String()})
		}
	}
	return out
}

func eventValues(events []*corev1.Event) []corev1.Event {
	out := make([]corev1.Event, len(events))
	for i, e := range events {
		out[i] = *e
	}
	return out
}
