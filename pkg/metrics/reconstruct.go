package metrics

import (
	"fmt"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
)

// HistoryFromEvents rebuilds the best available history from the HPA's SuccessfulRescale
// events. The controller's raw recommendations are not in the API, so they are inferred: in
// the stabilization window before a rescale, the size it went to (the window must have agreed
// for the rescale to happen); elsewhere, the replica count of the time (what an HPA at rest
// recommends). Scale events come from consecutive rescales. Gaps lists what could not be known.
func HistoryFromEvents(in EventHistoryInput) History {
	knobs := in.Settings.resolve()
	rescales, gaps := Rescales(in.HPA, in.Events)
	horizon := longestWindow(in.HPA.Spec.Behavior, knobs.DownscaleStabilization)
	start, startGaps := memoryStart(in, horizon)
	gaps = append(gaps, startGaps...)
	gaps = append(gaps, ttlGaps(in, knobs, start, horizon)...)

	timeline := newTimeline(in, rescales, knobs.DownscaleStabilization)
	h := History{}
	from := start
	if cutoff := in.Now.Add(-horizon); cutoff.After(from) {
		from = cutoff
	}
	for t := from; t.Before(in.Now); t = t.Add(knobs.SyncPeriod) {
		h.Recommendations = append(h.Recommendations,
			Recommendation{Replicas: timeline.recommendationAt(t), Time: t, Inferred: true})
	}
	if len(h.Recommendations) == 0 && !from.After(in.Now) {
		// the first sync of an HPA records the current count before anything else
		h.Recommendations = []Recommendation{{Replicas: in.Current, Time: from, Inferred: true}}
	}

	if in.HPA.Spec.Behavior != nil {
		h.ScaleUps, h.ScaleDowns = timeline.scaleEvents(from)
	}
	h.Gaps = append(gaps, timeline.gaps...)
	h.Complete = len(h.Gaps) == 0
	return h
}

// longestWindow is how far back anything the controller remembers can still matter.
func longestWindow(b *autoscalingv2.HorizontalPodAutoscalerBehavior,
	downscale time.Duration) time.Duration {
	if b == nil {
		return downscale
	}
	up, down := ScaleUpRules(b), ScaleDownRules(b, downscale)
	longest := max(up.Window, down.Window)
	for _, p := range append(append([]autoscalingv2.HPAScalingPolicy(nil), up.Policies...),
		down.Policies...) {
		longest = max(longest, time.Duration(p.PeriodSeconds)*time.Second)
	}
	return longest
}

// memoryStart is when the controller started remembering this HPA: its creation, or the
// current leader's start when later.
func memoryStart(in EventHistoryInput, horizon time.Duration) (time.Time, []string) {
	start := in.HPA.CreationTimestamp.Time
	if in.LeaderSince != nil && in.LeaderSince.After(start) {
		return *in.LeaderSince, nil
	}
	if in.LeaderSince == nil && start.Before(in.Now.Add(-horizon)) {
		return start, []string{fmt.Sprintf("a kube-controller-manager restart or leader "+
			"change in the last %s would have reset the controller's memory; none is assumed",
			horizon)}
	}
	return start, nil
}

// ttlGaps notes when the window reaches back past the events the API server still keeps.
func ttlGaps(in EventHistoryInput, knobs resolved, start time.Time,
	horizon time.Duration) []string {
	expired := in.Now.Add(-knobs.EventTTL)
	if horizon <= knobs.EventTTL || !start.Before(expired) {
		return nil
	}
	a, _ := knobs.assumption(KnobEventTTL)
	return []string{fmt.Sprintf("events older than %s are gone (%s), but the windows reach "+
		"back %s", knobs.EventTTL, a, horizon)}
}
