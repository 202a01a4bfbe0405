package diagnose

import (
	"fmt"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

const idForeignPods = "HPA-TGT-005"

// maxPodsShown bounds the pods a finding lists one by one.
const maxPodsShown = 5

func foreignPodsCheck() Check {
	return Check{ID: idForeignPods, Area: AreaTarget,
		Title:       "the pods the HPA counts all belong to its target",
		Needs:       []string{snapshot.ResPods, snapshot.ResReplicaSets},
		ExplainedBy: []string{idTargetExists, idTargetSelector},
		RunHPA:      checkForeignPods}
}

// checkForeignPods finds pods that match the target's selector but belong to another
// workload: the controller collects pods by labels, not by ownership, and averages them in.
func checkForeignPods(_ CheckContext, snap *snapshot.Snapshot,
	hpa *autoscalingv2.HorizontalPodAutoscaler) []Finding {
	target := snap.TargetOf(hpa)
	if !target.Found || target.Selector == nil {
		return nil
	}
	foreign := foreignPods(snap, target, snap.PodsOf(hpa))
	if len(foreign) == 0 {
		return nil
	}

	key := target.Key
	evidence := []string{"selector: " + target.Selector.String()}
	for i, pod := range foreign {
		if i == maxPodsShown {
			evidence = append(evidence, fmt.Sprintf("and %d more pods", len(foreign)-i))
			break
		}
		evidence = append(evidence, fmt.Sprintf("pod %s owned by %s", pod.Name, ownerOf(snap, pod)))
	}
	evidence = append(evidence, servicesRouting(snap, foreign)...)
	return []Finding{{ID: idForeignPods, Severity: Warning, Subject: hpaSubject(hpa),
		Message: fmt.Sprintf("the selector of %s %s also matches %d %s of other workloads, "+
			"which the HPA counts as its own", key.Kind, key.Name, len(foreign),
			plural(len(foreign), "pod", "pods")),
		Evidence: evidence,
		Remediation: fmt.Sprintf("give %s %s a selector label only its own pods carry (e.g. "+
			"app.kubernetes.io/name); a selector cannot change in place, so recreate it "+
			"(`kubectl delete --cascade=orphan`, then apply); or relabel the other workloads, "+
			"and keep Job templates from copying the app's selector labels", key.Kind, key.Name),
	}}
}

// foreignPods returns the pods whose top owner is not the target.
func foreignPods(snap *snapshot.Snapshot, target *snapshot.Target,
	pods []*corev1.Pod) []*corev1.Pod {
	var out []*corev1.Pod
	for _, pod := range pods {
		kind, name := snap.Owner(pod)
		if kind != target.Key.Kind || name != target.Key.Name {
			out = append(out, pod)
		}
	}
	return out
}

// ownerOf describes a pod's top owner: "StatefulSet kv", or "no controller".
func ownerOf(snap *snapshot.Snapshot, pod *corev1.Pod) string {
	kind, name := snap.Owner(pod)
	if kind == "" {
		return "no controller"
	}
	return kind + " " + name
}

// servicesRouting names the Services that also send traffic to the foreign pods.
func servicesRouting(snap *snapshot.Snapshot, pods []*corev1.Pod) []string {
	var out []string
	for i := range snap.Services {
		svc := &snap.Services[i]
		if len(svc.Spec.Selector) == 0 {
			continue
		}
		sel := labels.SelectorFromSet(svc.Spec.Selector)
		for _, pod := range pods {
			if pod.Namespace == svc.Namespace && sel.Matches(labels.Set(pod.Labels)) {
				out = append(out, fmt.Sprintf("Service %s/%s also sends traffic to pod %s",
					svc.Namespace, svc.Name, pod.Name))
				break
			}
		}
	}
	return out
}
