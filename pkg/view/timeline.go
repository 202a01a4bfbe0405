package view

import (
	"regexp"
	"strconv"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-directus/kubectl-directus/pkg/metrics"
	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// Rescale is one change of the replica count by the HPA, read from a SuccessfulRescale event.
type Rescale struct {
	Time time.Time `json:"time"`
	// From is the count before; nil when no earlier event says it.
	From   *int32 `json:"from,omitempty"`
	To     int32  `json:"to"`
	Reason string `json:"reason"`
}

// replicaSetMessage matches the Deployment controller's "Scaled up replica set %s from %d
// to %d", which gives the count before the HPA's first listed rescale.
var replicaSetMessage = regexp.MustCompile(
	`^Scaled (?:up|down) replica set \S+ from (\d+) to (\d+)$`)

// replicaSetWindow is how long after an HPA rescale the Deployment controller's event about
// it may come.
const replicaSetWindow = time.Minute

// Timeline lists the HPA's rescales, oldest first, from its events (own) and its target's
// (target), chaining each rescale's From to the previous one's To. The notes say where the
// event server folded repeats so that some rescales have no known time.
func Timeline(hpa *autoscalingv2.HorizontalPodAutoscaler, own,
	target []*corev1.Event) ([]Rescale, []string) {
	events := make([]corev1.Event, len(own))
	for i, ev := range own {
		events[i] = *ev
	}
	rescales, notes := metrics.Rescales(hpa, events)

	steps := make([]Rescale, len(rescales))
	for i, r := range rescales {
		steps[i] = Rescale{Time: r.Time, To: r.NewSize, Reason: r.Reason}
	}
	if len(steps) == 0 {
		return steps, notes
	}

	steps[0].From = fromReplicaSetEvents(steps[0], target)
	for i := 1; i < len(steps); i++ {
		// the same count twice in a row means folded repeats hid the step in between
		if from := steps[i-1].To; from != steps[i].To {
			steps[i].From = &from
		}
	}
	return steps, notes
}

// fromReplicaSetEvents finds the Deployment's replica set event for the rescale and returns
// the count it scaled from.
func fromReplicaSetEvents(step Rescale, target []*corev1.Event) *int32 {
	for _, ev := range target {
		if ev.Reason != "ScalingReplicaSet" {
			continue
		}
		at := snapshot.EventFirstTime(ev)
		if at.Before(step.Time.Add(-time.Second)) || at.After(step.Time.Add(replicaSetWindow)) {
			continue
		}
		m := replicaSetMessage.FindStringSubmatch(ev.Message)
		if m == nil || m[2] != strconv.Itoa(int(step.To)) {
			continue
		}
		from, err := strconv.ParseInt(m[1], 10, 32)
		if err == nil {
			n := int32(from)
			return &n
		}
	}
	return nil
}
