package diagnose

import (
	"fmt"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

const (
	idScalingActive = "HPA-STA-001"
	idAbleToScale   = "HPA-STA-002"
	idNoStatus      = "HPA-STA-003"
)

// rootCauses are the checks whose findings explain a failing condition or warning event.
var rootCauses = []string{idResourceAPI, idCustomAPI, idExternalAPI, idMetricNotOffered,
	idTargetExists, idTargetSelector, idSharedPods, idScaledToZero, idRequestsTemplate,
	idRequestsInjected, idPodMetrics}

// freshFailure is how long a failing condition may stand before it counts as a fault: the
// controller syncs every 15 s by default, so a few syncs.
const freshFailure = 2 * time.Minute

func scalingActiveCheck() Check {
	return Check{ID: idScalingActive, Area: AreaStatus,
		Title:       "the controller computes a replica count (ScalingActive)",
		ExplainedBy: rootCauses,
		RunHPA:      checkScalingActive}
}

// checkScalingActive reports a ScalingActive=False condition that no root-cause check
// explained, quoting it and the last event about it. Judged by reason: ScalingDisabled is a
// paused target, the rest are failures.
func checkScalingActive(cc CheckContext, snap *snapshot.Snapshot,
	hpa *autoscalingv2.HorizontalPodAutoscaler) []Finding {
	c, ok := condition(hpa, autoscalingv2.ScalingActive)
	if !ok || c.Status != corev1.ConditionFalse {
		return nil
	}
	since := cc.Now.Sub(c.LastTransitionTime.Time)
	severity := Error
	switch {
	case c.Reason == "ScalingDisabled":
		severity = Warning
	case since < freshFailure:
		severity = Info
	}

	evidence := []string{describeCondition(c), "failing for " + age(since)}
	if ev := lastEvent(snap, hpa, c.Reason); ev != "" {
		evidence = append(evidence, ev)
	}
	return []Finding{{ID: idScalingActive, Severity: severity, Subject: hpaSubject(hpa),
		Message: fmt.Sprintf("the controller cannot compute a replica count (%s), and no "+
			"other check found why", c.Reason),
		Evidence: evidence,
		Remediation: "read the condition's message above: it names the metric and the error; " +
			"`kubectl describe hpa " + hpa.Name + " -n " + hpa.Namespace + "` shows the events",
	}}
}

// lastEvent quotes the latest event of that reason about the HPA, with its count.
func lastEvent(snap *snapshot.Snapshot, hpa *autoscalingv2.HorizontalPodAutoscaler,
	reason string) string {
	events := snap.EventsFor(hpa.Namespace, KindHPA, hpa.Name)
	for i := len(events) - 1; i >= 0; i-- {
		if ev := events[i]; ev.Reason == reason {
			return fmt.Sprintf("event %s %s (x%d): %s", ev.Type, ev.Reason,
				snapshot.EventCount(ev), ev.Message)
		}
	}
	return ""
}

func ableToScaleCheck() Check {
	return Check{ID: idAbleToScale, Area: AreaStatus,
		Title:       "the controller can read and update the target's scale (AbleToScale)",
		ExplainedBy: []string{idTargetExists},
		RunHPA:      checkAbleToScale}
}

func checkAbleToScale(cc CheckContext, snap *snapshot.Snapshot,
	hpa *autoscalingv2.HorizontalPodAutoscaler) []Finding {
	c, ok := condition(hpa, autoscalingv2.AbleToScale)
	if !ok || c.Status != corev1.ConditionFalse {
		return nil
	}
	since := cc.Now.Sub(c.LastTransitionTime.Time)
	evidence := []string{describeCondition(c), "failing for " + age(since)}
	for _, reason := range []string{"FailedRescale", "FailedGetScale"} {
		if ev := lastEvent(snap, hpa, reason); ev != "" {
			evidence = append(evidence, ev)
		}
	}
	fix := "read the error above: the controller's service account needs get and update " +
		"on the target's scale subresource; an admission webhook, policy or quota may refuse " +
		"the update"
	return []Finding{{ID: idAbleToScale, Severity: Error, Subject: hpaSubject(hpa),
		Message:     fmt.Sprintf("the controller cannot scale the target (%s)", c.Reason),
		Evidence:    evidence,
		Remediation: fix}}
}

func noStatusCheck() Check {
	return Check{ID: idNoStatus, Area: AreaStatus,
		Title:  "the controller has written a status for the HPA",
		RunHPA: checkNoStatus}
}

// checkNoStatus warns about an HPA the controller has never processed: no conditions a few
// syncs after creation means the HPA controller is not running (or not watching it).
func checkNoStatus(cc CheckContext, _ *snapshot.Snapshot,
	hpa *autoscalingv2.HorizontalPodAutoscaler) []Finding {
	created := cc.Now.Sub(hpa.CreationTimestamp.Time)
	if len(hpa.Status.Conditions) > 0 || created < freshFailure {
		return nil
	}
	return []Finding{{ID: idNoStatus, Severity: Warning, Subject: hpaSubject(hpa),
		Message: fmt.Sprintf("the HPA was created %s ago and has no status conditions: the HPA "+
			"controller has not processed it", age(created)),
		Evidence: []string{"status.conditions: none", "created " + age(created) + " ago"},
		Remediation: "check that kube-controller-manager runs with the horizontalpodautoscaling " +
			"controller enabled (--controllers) and can reach the API server",
	}}
}
