package view

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

var t0 = time.Date(2026, 1, 2, 15, 0, 0, 0, time.UTC)

func rescaleEvent(message string, first, last time.Duration, count int32) *corev1.Event {
	return &corev1.Event{
		ObjectMeta: metav1.ObjectMeta{Namespace: "shop"},
		InvolvedObject: corev1.ObjectReference{Kind: "HorizontalPodAutoscaler", Name: "web",
			Namespace: "shop"},
		Reason: "SuccessfulRescale", Message: message, Count: count,
		FirstTimestamp: metav1.NewTime(t0.Add(first)), LastTimestamp: metav1.NewTime(t0.Add(last)),
	}
}

func TestTimelineChainsAndFolds(t *testing.T) {
	hpa := &autoscalingv2.HorizontalPodAutoscaler{ObjectMeta: metav1.ObjectMeta{Name: "web",
		Namespace: "shop"}}
	// 2→4 at 0, 4→2 at 10m, 2→4 at 20m: the event server folded both "New size: 4" into one
	// event counted twice.
	own := []*corev1.Event{
		rescaleEvent("New size: 4; reason: cpu resource utilization (percentage of request) "+
			"above target", 0, 20*time.Minute, 2),
		rescaleEvent("(combined from similar events): New size: 2; reason: All metrics below "+
			"target", 10*time.Minute, 10*time.Minute, 1),
	}
	target := []*corev1.Event{{
		Reason:         "ScalingReplicaSet",
		Message:        "Scaled up replica set web-5f7 from 2 to 4",
		FirstTimestamp: metav1.NewTime(t0.Add(2 * time.Second)),
	}}

	steps, notes := Timeline(hpa, own, target)
	two, four := int32(2), int32(4)
	assert.Equal(t, []Rescale{
		{Time: t0, From: &two, To: 4, Reason: "cpu resource utilization (percentage of " +
			"request) above target"},
		{Time: t0.Add(10 * time.Minute), From: &four, To: 2, Reason: "All metrics below target"},
		{Time: t0.Add(20 * time.Minute), From: &two, To: 4, Reason: "cpu resource " +
			"utilization (percentage of request) above target"},
	}, steps)
	assert.Empty(t, notes)
}

func TestTimelineUnknownStart(t *testing.T) {
	hpa := &autoscalingv2.HorizontalPodAutoscaler{ObjectMeta: metav1.ObjectMeta{Name: "web",
		Namespace: "shop"}}
	// three identical rescales folded: only the first and last times are known, and the
	// same size twice in a row leaves From unknown
	own := []*corev1.Event{rescaleEvent("New size: 6; reason: Current number of replicas "+
		"below Spec.MinReplicas", 0, 30*time.Minute, 3)}

	steps, notes := Timeline(hpa, own, nil)
	assert.Len(t, steps, 2)
	assert.Nil(t, steps[0].From, "no replica set event says where it started")
	assert.Nil(t, steps[1].From)
	assert.Len(t, notes, 1)
	assert.Contains(t, notes[0], "3 rescales to 6")
}
