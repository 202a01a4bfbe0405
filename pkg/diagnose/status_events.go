package diagnose

import (
	"fmt"
	"sort"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

const (
	idDesiredDiffers = "HPA-STA-004"
	idWarningEvents  = "HPA-STA-006"
)

// Event windows: core/v1 events expire after about an hour, so that is all the history there
// is; an event seen in the last two minutes is still happening (the controller syncs every 15s).
const (
	eventWindow   = time.Hour
	ongoingEvent  = 2 * time.Minute
	startupWindow = 3 * time.Minute
	stuckScale    = 5 * time.Minute
	// syncPeriod is the controller's --horizontal-pod-autoscaler-sync-period default.
	syncPeriod = 15 * time.Second
)

func warningEventsCheck() Check {
	return Check{ID: idWarningEvents, Area: AreaStatus,
		Title:       "no warning events about the HPA beyond a transient start-up",
		Needs:       []string{snapshot.ResEvents},
		ExplainedBy: append([]string{idScalingActive, idAbleToScale}, rootCauses...),
		RunHPA:      checkWarningEvents}
}

// eventSummary folds the warning events of one reason.
type eventSummary struct {
	reason      string
	count       int32
	first, last time.Time
	message     string
}

// checkWarningEvents tells a warning still happening (a metric failing every sync while the
// others carry the HPA) from one that stopped, such as the first-scrape gap at start-up.
func checkWarningEvents(cc CheckContext, snap *snapshot.Snapshot,
	hpa *autoscalingv2.HorizontalPodAutoscaler) []Finding {
	summaries := warningSummaries(cc.Now, snap, hpa)
	if len(summaries) == 0 {
		return nil
	}
	recovered := recoveredAt(hpa)
	var ongoing, past []string
	for _, s := range summaries {
		line := fmt.Sprintf("%s x%d, first %s ago, last %s ago: %s", s.reason, s.count,
			age(cc.Now.Sub(s.first)), age(cc.Now.Sub(s.last)), s.message)
		if cc.Now.Sub(s.last) < ongoingEvent && s.last.After(recovered.Add(syncPeriod)) {
			ongoing = append(ongoing, line)
		} else {
			past = append(past, line)
		}
	}
	if len(ongoing) > 0 {
		return []Finding{{ID: idWarningEvents, Severity: Warning, Subject: hpaSubject(hpa),
			Message: "the controller keeps reporting warnings although the HPA scales: some " +
				"metrics fail every sync, and the HPA will not scale down while they do",
			Evidence:    append(ongoing, past...),
			Remediation: "fix the metric named in the event, or remove it from the HPA"}}
	}
	return []Finding{{ID: idWarningEvents, Severity: Info, Subject: hpaSubject(hpa),
		Message:  transientMessage(hpa, summaries),
		Evidence: past}}
}

// recoveredAt is when ScalingActive last turned True: warnings up to one sync after it belong
// to the failure that ended then.
func recoveredAt(hpa *autoscalingv2.HorizontalPodAutoscaler) time.Time {
	if c, ok := conditionWith(hpa, autoscalingv2.ScalingActive, corev1.ConditionTrue); ok {
		return c.LastTransitionTime.Time
	}
	return time.Time{}
}

func transientMessage(hpa *autoscalingv2.HorizontalPodAutoscaler, summaries []eventSummary) string {
	for _, s := range summaries {
		if s.last.Sub(hpa.CreationTimestamp.Time) > startupWindow {
			return "warnings in the last hour have stopped; the HPA works now"
		}
	}
	return "warnings right after the HPA was created have stopped: the usual start-up gap " +
		"before the first metrics"
}

func warningSummaries(now time.Time, snap *snapshot.Snapshot,
	hpa *autoscalingv2.HorizontalPodAutoscaler) []eventSummary {
	byReason := map[string]*eventSummary{}
	for _, ev := range snap.EventsFor(hpa.Namespace, KindHPA, hpa.Name) {
		last := snapshot.EventTime(ev)
		if ev.Type != corev1.EventTypeWarning || now.Sub(last) > eventWindow {
			continue
		}
		s := byReason[ev.Reason]
		if s == nil {
			s = &eventSummary{reason: ev.Reason, first: snapshot.EventFirstTime(ev)}
			byReason[ev.Reason] = s
		}
		s.count += snapshot.EventCount(ev)
		if first := snapshot.EventFirstTime(ev); first.Before(s.first) {
			s.first = first
		}
		if last.After(s.last) {
			s.last, s.message = last, ev.Message
		}
	}
	out := make([]eventSummary, 0, len(byReason))
	for _, s := range byReason {
		out = append(out, *s)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].reason < out[b].reason })
	return out
}

func desiredDiffersCheck() Check {
	return Check{ID: idDesiredDiffers, Area: AreaStatus,
		Title:       "the target reaches the replica count the HPA wants",
		ExplainedBy: []string{idTargetExists, idAbleToScale, idScaledToZero},
		RunHPA:      checkDesiredDiffers}
}

// checkDesiredDiffers warns when the HPA has wanted another replica count for several syncs:
// its rescale is not taking effect, or the controller stopped updating the status.
func checkDesiredDiffers(cc CheckContext, _ *snapshot.Snapshot,
	hpa *autoscalingv2.HorizontalPodAutoscaler) []Finding {
	st := hpa.Status
	if st.DesiredReplicas == st.CurrentReplicas || len(st.Conditions) == 0 {
		return nil
	}
	since := cc.Now.Sub(hpa.CreationTimestamp.Time)
	if st.LastScaleTime != nil {
		since = cc.Now.Sub(st.LastScaleTime.Time)
	}
	if since < stuckScale {
		return nil
	}
	return []Finding{{ID: idDesiredDiffers, Severity: Warning, Subject: hpaSubject(hpa),
		Message: fmt.Sprintf("the HPA wants %d replicas but has seen %d for %s", st.DesiredReplicas,
			st.CurrentReplicas, age(since)),
		Evidence: []string{fmt.Sprintf("status.desiredReplicas %d, status.currentReplicas %d",
			st.DesiredReplicas, st.CurrentReplicas), "last scale " + age(since) + " ago"},
		Remediation: "check that kube-controller-manager is running (a status that stopped " +
			"changing) and the target's events (`kubectl describe` it) for refused updates",
	}}
}
