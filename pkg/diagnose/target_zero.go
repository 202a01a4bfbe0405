package diagnose

import (
	"fmt"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

const idScaledToZero = "HPA-TGT-004"

func scaledToZeroCheck() Check {
	return Check{ID: idScaledToZero, Area: AreaTarget,
		Title:       "the target is not scaled to zero behind the HPA's back",
		ExplainedBy: []string{idTargetExists},
		RunHPA:      checkScaledToZero}
}

// checkScaledToZero warns when the target's spec.replicas is 0: the controller then leaves it
// alone whatever the load. A zero the HPA made itself (minReplicas 0 with an Object or
// External metric, marked ScaledToZero=True) is only noted.
func checkScaledToZero(_ CheckContext, snap *snapshot.Snapshot,
	hpa *autoscalingv2.HorizontalPodAutoscaler) []Finding {
	target := snap.TargetOf(hpa)
	if !target.Found || target.SpecReplicas != 0 {
		return nil
	}
	key := target.Key
	f := Finding{ID: idScaledToZero, Severity: Warning,
		Subject: Subject{Kind: key.Kind, Namespace: key.Namespace, Name: key.Name},
		Message: fmt.Sprintf("%s %s is at 0 replicas, so HPA %s is disabled and will not react "+
			"to load; this may be a deliberate pause, but autoscaling will not undo it",
			key.Kind, key.Name, hpa.Name),
		Evidence: []string{fmt.Sprintf("%s %s/%s: spec.replicas 0", key.Kind, key.Namespace,
			key.Name), fmt.Sprintf("HPA %s: minReplicas %d", hpaKey(hpa), minReplicas(hpa))},
		Remediation: fmt.Sprintf("`kubectl -n %s scale %s/%s --replicas=%d` and the HPA takes "+
			"over; if the zero was not meant to last, change whatever set it (a person, a "+
			"scheduled downscaler, a manifest declaring 0) at its source", key.Namespace,
			lowerKind(key.Kind), key.Name, max(minReplicas(hpa), 1)),
	}
	if c, ok := condition(hpa, autoscalingv2.ScalingActive); ok && c.Reason == "ScalingDisabled" {
		f.Evidence = append(f.Evidence, describeCondition(c))
	}
	if c, ok := condition(hpa, "ScaledToZero"); ok && c.Status == corev1.ConditionTrue &&
		minReplicas(hpa) == 0 {
		f.Severity = Info
		f.Message = fmt.Sprintf("HPA %s scaled %s %s to zero itself and will scale it up when "+
			"its metric rises", hpa.Name, key.Kind, key.Name)
		f.Evidence = append(f.Evidence, describeCondition(c))
		f.Remediation = ""
	}
	return []Finding{f}
}

func lowerKind(kind string) string {
	switch kind {
	case "Deployment":
		return "deployment"
	case "StatefulSet":
		return "statefulset"
	case "ReplicaSet":
		return "replicaset"
	}
	return kind
}
