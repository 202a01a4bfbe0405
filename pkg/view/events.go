package view

import (
	"math"
	"sort"
	"strconv"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// EventsReport holds, per HPA, its own and its target's events and the replica timeline
// read from them.
type EventsReport struct {
	HPAs          []HPAEvents `json:"hpas"`
	AllNamespaces bool        `json:"-"`
}

// HPAEvents is the event history of one HPA and its scale target.
type HPAEvents struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Reference string `json:"reference"`
	// CurrentReplicas is the target's replica count now (spec.replicas), where the timeline
	// ends; nil when the target could not be read.
	CurrentReplicas *int32    `json:"currentReplicas,omitempty"`
	MinReplicas     int32     `json:"minReplicas"`
	MaxReplicas     int32     `json:"maxReplicas"`
	Events          []Event   `json:"events"`
	Timeline        []Rescale `json:"timeline"`
	// TimelineNotes say where the events leave the timeline incomplete.
	TimelineNotes []string `json:"timelineNotes,omitempty"`
}

// Event is one core/v1 event about the HPA or its target.
type Event struct {
	LastSeen  time.Time `json:"lastSeen"`
	FirstSeen time.Time `json:"firstSeen"`
	Count     int32     `json:"count"`
	Type      string    `json:"type"`
	Reason    string    `json:"reason"`
	// Object is "Kind/name" of the object the event is about.
	Object  string `json:"object"`
	Message string `json:"message"`
	// UID and ResourceVersion identify one state of the event, so a follower prints each
	// change once.
	UID             string `json:"-"`
	ResourceVersion string `json:"-"`
}

// Events builds the events report of every HPA in the snapshot.
func Events(snap *snapshot.Snapshot) *EventsReport {
	report := &EventsReport{HPAs: []HPAEvents{}, AllNamespaces: snap.Scope.AllNamespaces}
	for _, hpa := range sortedHPAs(snap) {
		report.HPAs = append(report.HPAs, eventsOf(snap, hpa))
	}
	return report
}

func eventsOf(snap *snapshot.Snapshot, hpa *autoscalingv2.HorizontalPodAutoscaler) HPAEvents {
	h := HPAEvents{Namespace: hpa.Namespace, Name: hpa.Name, Reference: Reference(hpa),
		MaxReplicas: hpa.Spec.MaxReplicas, MinReplicas: 1}
	if hpa.Spec.MinReplicas != nil {
		h.MinReplicas = *hpa.Spec.MinReplicas
	}
	if target := snap.TargetOf(hpa); target.Found {
		current := target.SpecReplicas
		h.CurrentReplicas = &current
	}

	ref := hpa.Spec.ScaleTargetRef
	own := snap.EventsFor(hpa.Namespace, "HorizontalPodAutoscaler", hpa.Name)
	targets := snap.EventsFor(hpa.Namespace, ref.Kind, ref.Name)
	h.Events = SortEvents(append(convertEvents(own), convertEvents(targets)...))
	h.Timeline, h.TimelineNotes = Timeline(hpa, own, targets)
	return h
}

func convertEvents(events []*corev1.Event) []Event {
	out := make([]Event, 0, len(events))
	for _, ev := range events {
		out = append(out, EventOf(ev))
	}
	return out
}

// EventOf converts a core/v1 event.
func EventOf(ev *corev1.Event) Event {
	return Event{
		LastSeen:        snapshot.EventTime(ev),
		FirstSeen:       snapshot.EventFirstTime(ev),
		Count:           snapshot.EventCount(ev),
		Type:            ev.Type,
		Reason:          ev.Reason,
		Object:          ev.InvolvedObject.Kind + "/" + ev.InvolvedObject.Name,
		Message:         ev.Message,
		UID:             string(ev.UID),
		ResourceVersion: ev.ResourceVersion,
	}
}

// SortEvents orders events by when they were last seen. Event times have whole seconds, so
// within a second the order the API server stored them in decides (their resource versions,
// numbers in etcd; others come after), then object and reason.
func SortEvents(events []Event) []Event {
	sort.SliceStable(events, func(a, b int) bool {
		x, y := &events[a], &events[b]
		if !x.LastSeen.Equal(y.LastSeen) {
			return x.LastSeen.Before(y.LastSeen)
		}
		if rx, ry := storeOrder(x), storeOrder(y); rx != ry {
			return rx < ry
		}
		if x.Object != y.Object {
			return x.Object < y.Object
		}
		return x.Reason < y.Reason
	})
	return events
}

// storeOrder is the event's resource version as a number, or the largest number when it is
// not one.
func storeOrder(ev *Event) uint64 {
	rv, err := strconv.ParseUint(ev.ResourceVersion, 10, 64)
	if err != nil {
		return math.MaxUint64
	}
	return rv
}
