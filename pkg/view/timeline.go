package view

import (
	"regexp"
	"sort"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// Rescale is one change of the replica count by the HPA, read from a SuccessfulRescale event.
type Rescale struct {
	Time time.Time `json:"time"`
	// From is the count before; nil when no earlier event says it.
	From   *int32 `json:"from,omitempty"`
	To     int32  `json:"to"`
	Reason string `json:"reason"`
	// Unlisted counts further identical rescales that the event server folded into this
	// one: they happened between the event's first time and this one, at times it does not
	// keep.
	Unlisted int32 `json:"unlisted,omitempty"`
}

// rescaleMessage matches the controller's "New size: %d; reason: %s", also behind the
// prefix the event correlator adds when it combines similar events.
var rescaleMessage = regexp.MustCompile(
	`^(?:\(combined from similar events\): )?New size: (\d+); reason: (.*)$`)

// replicaSetMessage matches the Deployment controller's "Scaled up replica set %s from %d
// to %d", which gives the count before the HPA's first listed rescale.
var replicaSetMessage = regexp.MustCompile(
	`^Scaled (?:up|down) replica set \S+ from (\d+) to (\d+)$`)

// replicaSetWindow is how long after an HPA rescale the Deployment controller's event about
// it may come.
const replicaSetWindow = time.Minute

// ParseRescale reads the new size and the reason from a SuccessfulRescale message.
func ParseRescale(message string) (size int32, reason string, ok bool) {
	m := rescaleMessage.FindStringSubmatch(message)
	if m == nil {
		return 0, "", false
	}
	n, err := strconv.ParseInt(m[1], 10, 32)
	if err != nil {
		return 0, "", false
	}
	return int32(n), m[2], true
}

// Timeline lists the HPA's rescales, oldest first, from its events (own) and its target's
// (target), chaining each rescale's From to the previous one's To.
func Timeline(own, target []*corev1.Event) []Rescale {
	var steps []Rescale
	for _, ev := range own {
		if ev.Reason == "SuccessfulRescale" {
			steps = append(steps, occurrences(ev)...)
		}
	}
	sort.SliceStable(steps, func(a, b int) bool { return steps[a].Time.Before(steps[b].Time) })
	if len(steps) == 0 {
		return []Rescale{}
	}

	steps[0].From = fromReplicaSetEvents(steps[0], target)
	for i := 1; i < len(steps); i++ {
		from := steps[i-1].To
		// an unchanged count means folded rescales hid the real previous step
		if from != steps[i].To && steps[i].Unlisted == 0 {
			steps[i].From = &from
		}
	}
	return steps
}

// occurrences expands one event into the rescales whose times it records: the first and
// the last when the event server counted it several times.
func occurrences(ev *corev1.Event) []Rescale {
	size, reason, ok := ParseRescale(ev.Message)
	if !ok {
		return nil
	}
	last := Rescale{Time: snapshot.EventTime(ev), To: size, Reason: reason}
	count := snapshot.EventCount(ev)
	first := snapshot.EventFirstTime(ev)
	if count < 2 || !first.Before(last.Time) {
		return []Rescale{last}
	}
	last.Unlisted = count - 2
	return []Rescale{{Time: first, To: size, Reason: reason}, last}
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
