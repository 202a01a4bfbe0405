package view

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestSortEventsWithinASecond: the HPA's rescale was stored before the Deployment's replica
// set event it caused; both carry the same second, so the resource versions decide.
func TestSortEventsWithinASecond(t *testing.T) {
	events := SortEvents([]Event{
		{LastSeen: t0, Object: "Deployment/web", Reason: "ScalingReplicaSet",
			ResourceVersion: "1011"},
		{LastSeen: t0, Object: "HorizontalPodAutoscaler/web", Reason: "SuccessfulRescale",
			ResourceVersion: "1009"},
		{LastSeen: t0.Add(-1), Object: "HorizontalPodAutoscaler/web", Reason: "FailedGetScale",
			ResourceVersion: "2000"},
		{LastSeen: t0, Object: "Deployment/web", Reason: "B", ResourceVersion: "x"},
		{LastSeen: t0, Object: "Deployment/web", Reason: "A", ResourceVersion: "y"},
	})
	var order []string
	for _, ev := range events {
		order = append(order, ev.Reason)
	}
	assert.Equal(t, []string{"FailedGetScale", "SuccessfulRescale", "ScalingReplicaSet", "A",
		"B"}, order)
}
