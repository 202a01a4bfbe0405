package diagnose

import (
	"fmt"
	"sort"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

const (
	labelVersion = "app.kubernetes.io/version"
	labelZone    = "topology.kubernetes.io/zone"
)

// selectorCheck (DX26): a selector is immutable, so a version label in it makes every upgrade
// that changes the label fail.
func selectorCheck(c *viewCache) Check {
	return directusCheck(c, "DX26", "the selector holds no version label", envNeeds(),
		func(*view) directusJudge { return judgeSelector })
}

func judgeSelector(w *workload, _ *envView) []Finding {
	if w.Selector == nil {
		return nil
	}
	if v, ok := w.Selector.MatchLabels[labelVersion]; ok {
		return []Finding{w.finding("DX26", Warning, "the selector contains "+labelVersion+
			": selectors cannot change, so an upgrade that changes the label fails",
			[]string{fmt.Sprintf("spec.selector.matchLabels %s=%s", labelVersion, v)},
			"select on app.kubernetes.io/name, instance and component only; recreating the "+
				"workload is the only way to change an existing selector")}
	}
	return nil
}

// topologyCheck (DX29): without spread constraints the scheduler may put every replica on
// one node; a zone constraint that must be met strands pods when nodes lack the zone label.
func topologyCheck(c *viewCache) Check {
	needs := append([]string{snapshot.ResNodes}, envNeeds()...)
	return directusCheck(c, "DX29", "replicas spread over nodes and zones", needs,
		func(snap *view) directusJudge {
			return func(w *workload, _ *envView) []Finding { return judgeTopology(snap, w) }
		})
}

const topologyFix = "add topologySpreadConstraints on kubernetes.io/hostname and " +
	"topology.kubernetes.io/zone with maxSkew 1, whenUnsatisfiable ScheduleAnyway and " +
	"matchLabelKeys [pod-template-hash]"

func judgeTopology(snap *view, w *workload) []Finding {
	spec := &w.Template.Spec
	if !w.several() {
		return nil
	}
	if len(spec.TopologySpreadConstraints) == 0 && !hasAntiAffinity(spec) {
		return []Finding{w.finding("DX29", Info, "nothing spreads the replicas: the scheduler "+
			"may place them all on one node", []string{"no topologySpreadConstraints, no " +
			"podAntiAffinity"}, topologyFix)}
	}
	for _, c := range spec.TopologySpreadConstraints {
		if c.TopologyKey != labelZone || c.WhenUnsatisfiable != corev1.DoNotSchedule {
			continue
		}
		if missing := nodesWithout(snap, labelZone); len(missing) > 0 {
			return []Finding{w.finding("DX29", Info, "a zone spread that must be met, while "+
				"some nodes have no zone label: pods may stay Pending",
				[]string{"whenUnsatisfiable DoNotSchedule on " + labelZone,
					"nodes without the label: " + joinAnd(missing)}, topologyFix)}
		}
	}
	return nil
}

func hasAntiAffinity(spec *corev1.PodSpec) bool {
	return spec.Affinity != nil && spec.Affinity.PodAntiAffinity != nil
}

func nodesWithout(snap *view, label string) []string {
	var out []string
	for _, n := range snap.Nodes {
		if _, ok := n.Labels[label]; !ok {
			out = append(out, n.Name)
		}
	}
	sort.Strings(out)
	return out
}
