package metrics

import (
	"strconv"
	"strings"
	"testing"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestParseRescale(t *testing.T) {
	cases := []struct {
		message string
		size    int32
		reason  string
		ok      bool
	}{
		{"New size: 4; reason: cpu resource utilization (percentage of request) above target",
			4, "cpu resource utilization (percentage of request) above target", true},
		{"(combined from similar events): New size: 2; reason: All metrics below target", 2,
			"All metrics below target", true},
		{"New size: 0; reason: ", 0, "", true},
		{"New size: x; reason: y", 0, "", false},
		{"New size: 3", 0, "", false},
		{"the HPA controller was able to update the target scale to 4", 0, "", false},
	}
	for _, tc := range cases {
		size, reason, ok := ParseRescale(tc.message)
		if size != tc.size || reason != tc.reason || ok != tc.ok {
			t.Errorf("ParseRescale(%q) = %d %q %v", tc.message, size, reason, ok)
		}
	}
}

// rescaleEvent is a SuccessfulRescale of HPA directus to size, first ago and count times,
// the last one lastAgo.
func rescaleEvent(size int32, reason string, ago, lastAgo time.Duration,
	count int32) corev1.Event {
	return corev1.Event{
		ObjectMeta: metav1.ObjectMeta{Name: "directus.1", Namespace: "ns"},
		InvolvedObject: corev1.ObjectReference{Kind: "HorizontalPodAutoscaler",
			Name: "directus", Namespace: "ns"},
		Reason:         "SuccessfulRescale",
		Message:        "New size: " + itoa(size) + "; reason: " + reason,
		Count:          count,
		FirstTimestamp: metav1.NewTime(now.Add(-ago)),
		LastTimestamp:  metav1.NewTime(now.Add(-lastAgo)),
	}
}

func itoa(n int32) string { return strconv.Itoa(int(n)) }

const upReason = "cpu resource utilization (percentage of request) above target"

func TestRescales(t *testing.T) {
	hpa := newHPA(1, 10)
	other := rescaleEvent(9, upReason, time.Minute, time.Minute, 1)
	other.InvolvedObject.Name = "another"
	warning := rescaleEvent(5, upReason, time.Minute, time.Minute, 1)
	warning.Reason = "FailedRescale"
	events := []corev1.Event{
		rescaleEvent(2, "All metrics below target", 3*time.Minute, 3*time.Minute, 1),
		other, warning,
		rescaleEvent(4, upReason, 10*time.Minute, 2*time.Minute, 3),
	}

	got, gaps := Rescales(hpa, events)
	// the repeated event gives its first (10 m) and last (2 m) occurrences, in time order
	want := []Rescale{
		{Time: now.Add(-10 * time.Minute), NewSize: 4, Reason: upReason, Up: true},
		{Time: now.Add(-3 * time.Minute), NewSize: 2, Reason: "All metrics below target"},
		{Time: now.Add(-2 * time.Minute), NewSize: 4, Reason: upReason, Up: true},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("rescale %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if len(gaps) != 1 || !strings.Contains(gaps[0], "3 rescales to 4") {
		t.Errorf("gaps %v", gaps)
	}
}

// Without behavior, only recommendations matter, over the 5-minute window: a grid every
// 15 s from now − 5 m, each the replica count of its time (rescales are not stabilized up).
func TestHistoryFromEventsWithoutBehavior(t *testing.T) {
	hpa := newHPA(1, 10, utilizationMetric("cpu", 70))
	events := []corev1.Event{rescaleEvent(4, upReason, 2*time.Minute, 2*time.Minute, 1)}

	h := HistoryFromEvents(EventHistoryInput{HPA: hpa, Events: events, Current: 4, Now: now})
	// 5 m / 15 s = 20 points; before the first rescale the size is unknown and taken as 4
	if len(h.Recommendations) != 20 || h.Recommendations[0].Time != now.Add(-5*time.Minute) {
		t.Fatalf("recommendations %+v", h.Recommendations)
	}
	for _, r := range h.Recommendations {
		if r.Replicas != 4 || !r.Inferred {
			t.Fatalf("recommendation %+v, want inferred 4", r)
		}
	}
	// the HPA is an hour old and no leader time was given → the restart caveat
	if h.Complete || len(h.Gaps) != 1 || !strings.Contains(h.Gaps[0], "restart") {
		t.Errorf("gaps %v", h.Gaps)
	}
	if len(h.ScaleUps)+len(h.ScaleDowns) != 0 {
		t.Errorf("scale events without behavior: %+v %+v", h.ScaleUps, h.ScaleDowns)
	}
}

// With the product's behavior: rescales to 4 (90 s ago) and 6 (30 s ago), current 6.
func TestHistoryFromEventsWithBehavior(t *testing.T) {
	hpa := newHPA(2, 10, utilizationMetric("cpu", 70))
	hpa.Spec.Behavior = directusBehavior()
	leader := now.Add(-20 * time.Minute)
	events := []corev1.Event{
		rescaleEvent(4, upReason, 90*time.Second, 90*time.Second, 1),
		rescaleEvent(6, upReason, 30*time.Second, 30*time.Second, 1),
	}

	h := HistoryFromEvents(EventHistoryInput{HPA: hpa, Events: events, Current: 6,
		LeaderSince: &leader, Now: now})
	// horizon = longest of 300 s, 600 s, 60 s, 120 s = 600 s → 40 points from now − 10 m
	if len(h.Recommendations) != 40 {
		t.Fatalf("%d recommendations", len(h.Recommendations))
	}
	// the rescale to 6 needed every recommendation of its 300 s up window to be ≥ 6:
	// (now−330 s, now−30 s] → 6; the rescale to 4 needs ≥ 4 before that → 4; after → 6
	for _, r := range h.Recommendations {
		want := int32(6)
		if !r.Time.After(now.Add(-330 * time.Second)) {
			want = 4
		}
		if r.Replicas != want {
			t.Errorf("recommendation at %s = %d, want %d", r.Time.Sub(now), r.Replicas, want)
		}
	}
	// 4 → 6 is a +2 scale-up 30 s ago; the size before 4 is unknown (noted)
	if len(h.ScaleUps) != 1 || h.ScaleUps[0] != ev(2, 30*time.Second) {
		t.Errorf("scale-ups %+v", h.ScaleUps)
	}
	if len(h.Gaps) != 1 || !strings.Contains(h.Gaps[0], "size before the rescale to 4") {
		t.Errorf("gaps %v", h.Gaps)
	}
}

func TestHistoryFromEventsNotes(t *testing.T) {
	hpa := newHPA(1, 10)
	hpa.CreationTimestamp = metav1.NewTime(now.Add(-time.Minute))

	// a fresh HPA: memory starts at creation; one point a minute ago, four at 15 s steps
	h := HistoryFromEvents(EventHistoryInput{HPA: hpa, Current: 3, Now: now})
	if !h.Complete || len(h.Recommendations) != 4 || h.Recommendations[0].Replicas != 3 {
		t.Errorf("fresh HPA: %+v", h)
	}

	// someone scaled by hand after the last rescale
	events := []corev1.Event{rescaleEvent(4, upReason, 30*time.Second, 30*time.Second, 1)}
	h = HistoryFromEvents(EventHistoryInput{HPA: hpa, Events: events, Current: 7, Now: now})
	if h.Complete || !strings.Contains(strings.Join(h.Gaps, "|"), "something else changed") {
		t.Errorf("hand scaling: %v", h.Gaps)
	}

	// a 2-hour window reaches past the 1-hour event TTL
	old := newHPA(1, 10)
	old.CreationTimestamp = metav1.NewTime(now.Add(-3 * time.Hour))
	old.Spec.Behavior = &autoscalingv2.HorizontalPodAutoscalerBehavior{
		ScaleDown: &autoscalingv2.HPAScalingRules{StabilizationWindowSeconds: ptr(int32(3600)),
			Policies: []autoscalingv2.HPAScalingPolicy{percentPolicy(10, 1800)}}}
	leader := now.Add(-150 * time.Minute)
	h = HistoryFromEvents(EventHistoryInput{HPA: old, Current: 3, LeaderSince: &leader,
		Settings: Settings{EventTTL: 30 * time.Minute}, Now: now})
	if !strings.Contains(strings.Join(h.Gaps, "|"), "events older than 30m0s are gone") {
		t.Errorf("ttl: %v", h.Gaps)
	}
}

// A rescale down to 3 needed every recommendation of the 5-minute window before it to be at
// most 3, although 6 replicas were running then.
func TestHistoryFromEventsScaleDownBound(t *testing.T) {
	hpa := newHPA(1, 10, utilizationMetric("cpu", 70))
	leader := now.Add(-time.Hour)
	events := []corev1.Event{
		rescaleEvent(6, upReason, 20*time.Minute, 20*time.Minute, 1),
		rescaleEvent(3, "All metrics below target", 2*time.Minute, 2*time.Minute, 1),
	}

	h := HistoryFromEvents(EventHistoryInput{HPA: hpa, Events: events, Current: 3,
		LeaderSince: &leader, Now: now})
	for _, r := range h.Recommendations {
		if r.Replicas != 3 {
			t.Fatalf("recommendation at %s = %d, want 3", r.Time.Sub(now), r.Replicas)
		}
	}
	if !h.Complete {
		t.Errorf("gaps %v", h.Gaps)
	}
}

// An HPA created this instant: its first sync records the current count first.
func TestHistoryFromEventsSeedsANewHPA(t *testing.T) {
	hpa := newHPA(1, 10)
	hpa.CreationTimestamp = metav1.NewTime(now)

	h := HistoryFromEvents(EventHistoryInput{HPA: hpa, Current: 3, Now: now})
	if len(h.Recommendations) != 1 || h.Recommendations[0] != (Recommendation{Replicas: 3,
		Time: now, Inferred: true}) {
		t.Errorf("recommendations %+v", h.Recommendations)
	}
}
