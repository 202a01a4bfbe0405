package metrics

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
)

// combinedPrefix is what the event correlator puts before messages it merged.
const combinedPrefix = "(combined from similar events): "

// Rescale is one SuccessfulRescale event of an HPA, parsed.
type Rescale struct {
	Time    time.Time `json:"time"`
	NewSize int32     `json:"newSize"`
	Reason  string    `json:"reason"`
	// Up is the direction the reason implies.
	Up bool `json:"up"`
}

// EventHistoryInput is what HistoryFromEvents reads.
type EventHistoryInput struct {
	HPA *autoscalingv2.HorizontalPodAutoscaler
	// Events may hold any events of the namespace; only the HPA's rescales are used.
	Events []corev1.Event
	// Current is the scale's spec.replicas now.
	Current int32
	// LeaderSince is when the running kube-controller-manager took the lead (its Lease's
	// acquireTime), if known: the controller's memory starts there.
	LeaderSince *time.Time
	Settings    Settings
	Now         time.Time
}

// ParseRescale reads "New size: N; reason: R" (with or without the correlator's prefix).
func ParseRescale(message string) (size int32, reason string, ok bool) {
	message = strings.TrimPrefix(message, combinedPrefix)
	rest, found := strings.CutPrefix(message, "New size: ")
	if !found {
		return 0, "", false
	}
	sizeText, reason, found := strings.Cut(rest, "; reason: ")
	if !found {
		return 0, "", false
	}
	n, err := strconv.ParseInt(sizeText, 10, 32)
	if err != nil || n < 0 {
		return 0, "", false
	}
	return int32(n), reason, true
}

// reasonIsUp tells the direction of a rescale from its reason.
func reasonIsUp(reason string) bool {
	return strings.HasSuffix(reason, " above target") ||
		reason == "Current number of replicas below Spec.MinReplicas"
}

// Rescales returns the HPA's SuccessfulRescale occurrences sorted by time, and notes about
// occurrences whose times are unknown (an event repeated more than twice keeps only its
// first and last time).
func Rescales(hpa *autoscalingv2.HorizontalPodAutoscaler, events []corev1.Event) ([]Rescale,
	[]string) {
	var out []Rescale
	var gaps []string
	for i := range events {
		e := &events[i]
		if !isRescaleOf(e, hpa) {
			continue
		}
		size, reason, ok := ParseRescale(e.Message)
		if !ok {
			gaps = append(gaps, fmt.Sprintf("event %s has an unreadable message %q", e.Name,
				e.Message))
			continue
		}
		first, last := eventTimes(e)
		out = append(out, Rescale{Time: first, NewSize: size, Reason: reason,
			Up: reasonIsUp(reason)})
		if e.Count > 1 && last.After(first) {
			out = append(out, Rescale{Time: last, NewSize: size, Reason: reason,
				Up: reasonIsUp(reason)})
		}
		if e.Count > 2 {
			gaps = append(gaps, fmt.Sprintf("%d rescales to %d between %s and %s: only the "+
				"first and last times are known", e.Count, size, first.Format(time.RFC3339),
				last.Format(time.RFC3339)))
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out, gaps
}

func isRescaleOf(e *corev1.Event, hpa *autoscalingv2.HorizontalPodAutoscaler) bool {
	ref := e.InvolvedObject
	if e.Reason != "SuccessfulRescale" || ref.Kind != "HorizontalPodAutoscaler" ||
		ref.Name != hpa.Name || ref.Namespace != hpa.Namespace {
		return false
	}
	return ref.UID == "" || hpa.UID == "" || ref.UID == hpa.UID
}

// eventTimes returns when an event first and last happened, from whichever fields are set.
func eventTimes(e *corev1.Event) (time.Time, time.Time) {
	first := e.FirstTimestamp.Time
	if first.IsZero() {
		first = e.EventTime.Time
	}
	if first.IsZero() {
		first = e.CreationTimestamp.Time
	}
	last := e.LastTimestamp.Time
	if last.IsZero() || last.Before(first) {
		last = first
	}
	return first, last
}
