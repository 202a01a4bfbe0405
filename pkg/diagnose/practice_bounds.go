package diagnose

import (
	"fmt"

	autoscalingv2 "k8s.io/api/autoscaling/v2"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// minReplicasCheck (HPA-CFG-002): one pod at quiet times means a restart or a drain is an
// outage.
func minReplicasCheck() Check {
	return practiceCheck("HPA-CFG-002", "minReplicas keeps at least two pods",
		[]string{snapshot.ResHPAs}, false, judgeMinReplicas)
}

func judgeMinReplicas(_ *snapshot.Snapshot, hpa *autoscalingv2.HorizontalPodAutoscaler,
	_ *snapshot.Target) []Finding {
	low := hpaMin(hpa)
	if low >= 2 {
		return nil
	}
	sev, msg := Warning, "minReplicas is 1: at quiet times one pod serves everything, and its "+
		"restart or eviction is an outage"
	if low == 0 {
		sev, msg = Info, "minReplicas is 0: the workload scales to zero when its object or "+
			"external metric allows; the first request after that waits for a pod to start"
	}
	return []Finding{{Severity: sev, Subject: hpaSubject(hpa), Message: msg,
		Evidence: []string{fmt.Sprintf("minReplicas %d, maxReplicas %d", low,
			hpa.Spec.MaxReplicas)},
		Remediation: fmt.Sprintf("`kubectl -n %s patch hpa %s --type merge -p "+
			"'{\"spec\":{\"minReplicas\":2}}'`", hpa.Namespace, hpa.Name)}}
}

// maxReplicasCheck (HPA-CFG-003): an HPA whose maximum equals its minimum cannot scale.
func maxReplicasCheck() Check {
	return practiceCheck("HPA-CFG-003", "maxReplicas leaves room to scale",
		[]string{snapshot.ResHPAs}, false, judgeMaxReplicas)
}

func judgeMaxReplicas(_ *snapshot.Snapshot, hpa *autoscalingv2.HorizontalPodAutoscaler,
	_ *snapshot.Target) []Finding {
	low := hpaMin(hpa)
	if hpa.Spec.MaxReplicas > low {
		return nil
	}
	return []Finding{{Severity: Warning, Subject: hpaSubject(hpa),
		Message: "maxReplicas equals minReplicas: the HPA can never change the replica count",
		Evidence: []string{fmt.Sprintf("minReplicas %d, maxReplicas %d", low,
			hpa.Spec.MaxReplicas)},
		Remediation: "raise maxReplicas to the most pods the workload and its database can " +
			"carry (the product default is 10), or drop the HPA and set spec.replicas"}}
}
