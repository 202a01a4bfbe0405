package diagnose

import (
	"fmt"
	"strings"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// pdbCheck (HPA-CFG-009): a PodDisruptionBudget keeps a drain from evicting every replica at
// once, and must still let one pod go when the HPA sits at minReplicas.
func pdbCheck() Check {
	return practiceCheck("HPA-CFG-009",
		"a disruption budget protects the pods and lets drains through",
		[]string{snapshot.ResHPAs, snapshot.ResDeployments, snapshot.ResStatefulSets,
			snapshot.ResPDBs}, true, judgePDB)
}

const pdbFix = "use one PodDisruptionBudget with maxUnavailable: 1 (it follows the HPA's replica " +
	"count) and unhealthyPodEvictionPolicy: AlwaysAllow, selecting the workload's pods"

func judgePDB(snap *snapshot.Snapshot, hpa *autoscalingv2.HorizontalPodAutoscaler,
	target *snapshot.Target) []Finding {
	pdbs := pdbsSelecting(snap, hpa.Namespace, target.Template.Labels)
	switch len(pdbs) {
	case 0:
		return []Finding{{Severity: Warning, Subject: targetSubject(target),
			Message: "no PodDisruptionBudget selects the pods: a node drain may evict every " +
				"replica at once",
			Evidence: []string{fmt.Sprintf("pod labels %s; no PDB in %s selects them",
				labels.Set(target.Template.Labels).String(), hpa.Namespace)},
			Remediation: pdbFix}}
	case 1:
		return judgeBudget(hpa, target, pdbs[0])
	}

	names := make([]string, len(pdbs))
	for i, p := range pdbs {
		names[i] = p.Name
	}
	return []Finding{{Severity: Warning, Subject: targetSubject(target),
		Message: "several PodDisruptionBudgets select the pods: the eviction API refuses to " +
			"evict them",
		Evidence: []string{"PDBs " + strings.Join(names, ", ")}, Remediation: pdbFix}}
}

// judgeBudget checks that the budget allows one eviction when the HPA runs minReplicas pods.
func judgeBudget(hpa *autoscalingv2.HorizontalPodAutoscaler, target *snapshot.Target,
	pdb *policyv1.PodDisruptionBudget) []Finding {
	low := int(hpaMin(hpa))
	if low == 0 {
		// The workload idles at zero pods; there is nothing a drain could be kept from.
		return nil
	}
	allowed, what, ok := allowedAtMin(pdb, low)
	if !ok || allowed > 0 {
		return nil
	}
	return []Finding{{Severity: Warning, Subject: targetSubject(target),
		Message: fmt.Sprintf("PodDisruptionBudget %s allows no eviction when the HPA runs "+
			"minReplicas %d pods: node drains and upgrades block", pdb.Name, low),
		Evidence: []string{"PDB " + pdb.Name + ": " + what,
			fmt.Sprintf("HPA %s minReplicas %d", hpa.Name, low)},
		Remediation: pdbFix}}
}

// allowedAtMin is how many pods the budget lets go when n healthy pods run, rounding
// percentages up as the disruption controller does.
func allowedAtMin(pdb *policyv1.PodDisruptionBudget, n int) (int, string, bool) {
	if v := pdb.Spec.MaxUnavailable; v != nil {
		unavailable, err := intstr.GetScaledValueFromIntOrPercent(v, n, true)
		return unavailable, "maxUnavailable " + v.String(), err == nil
	}
	if v := pdb.Spec.MinAvailable; v != nil {
		available, err := intstr.GetScaledValueFromIntOrPercent(v, n, true)
		return n - available, "minAvailable " + v.String(), err == nil
	}
	return 1, "", false
}

func pdbsSelecting(snap *snapshot.Snapshot, ns string,
	podLabels map[string]string) []*policyv1.PodDisruptionBudget {
	var out []*policyv1.PodDisruptionBudget
	for i := range snap.PDBs {
		pdb := &snap.PDBs[i]
		if pdb.Namespace != ns || pdb.Spec.Selector == nil {
			continue
		}
		sel, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
		if err == nil && !sel.Empty() && sel.Matches(labels.Set(podLabels)) {
			out = append(out, pdb)
		}
	}
	return out
}
