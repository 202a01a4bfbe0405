package diagnose

import (
	"fmt"
	"sort"
	"strings"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

const idSharedPods = "HPA-TGT-003"

func sharedPodsCheck() Check {
	return Check{ID: idSharedPods, Area: AreaTarget,
		Title: "each set of pods is controlled by one HPA",
		Needs: []string{snapshot.ResHPAs, snapshot.ResPods},
		Run:   checkSharedPods}
}

// checkSharedPods groups the HPAs that act on the same target or on overlapping pods, from
// their specs, so it needs no condition from the controller: current controllers disable
// all of them (AmbiguousSelector), older ones let them fight.
func checkSharedPods(_ CheckContext, snap *snapshot.Snapshot) []Finding {
	groups := newUnion()
	byTarget := map[snapshot.TargetKey]string{}
	byPod := map[string]string{}
	hpas := sortedHPAs(snap.HPAs)
	for _, hpa := range hpas {
		key := hpaKey(hpa)
		groups.add(key)
		if other, ok := byTarget[snapshot.KeyOf(hpa)]; ok {
			groups.join(other, key)
		}
		byTarget[snapshot.KeyOf(hpa)] = key
		for _, pod := range snap.PodsOf(hpa) {
			podKey := pod.Namespace + "/" + pod.Name
			if other, ok := byPod[podKey]; ok {
				groups.join(other, key)
			}
			byPod[podKey] = key
		}
	}

	index := map[string]*autoscalingv2.HorizontalPodAutoscaler{}
	for _, hpa := range hpas {
		index[hpaKey(hpa)] = hpa
	}
	var out []Finding
	for _, members := range groups.sets() {
		if len(members) > 1 {
			out = append(out, sharedFinding(snap, index, members))
		}
	}
	return out
}

func sharedFinding(snap *snapshot.Snapshot, index map[string]*autoscalingv2.HorizontalPodAutoscaler,
	members []string) Finding {
	first := index[members[0]]
	target := snapshot.KeyOf(first)
	var evidence []string
	keda := false
	for _, key := range members {
		hpa := index[key]
		line := fmt.Sprintf("HPA %s -> %s/%s, metrics: %s", key, hpa.Spec.ScaleTargetRef.Kind,
			hpa.Spec.ScaleTargetRef.Name, describeMetrics(metricsOf(hpa)))
		if owner := metav1.GetControllerOf(hpa); owner != nil {
			line += fmt.Sprintf(", managed by %s %s (%s)", owner.Kind, owner.Name, owner.APIVersion)
			keda = keda || strings.HasPrefix(owner.APIVersion, "keda.sh/")
		}
		evidence = append(evidence, line)
		c, ok := condition(hpa, autoscalingv2.ScalingActive)
		if ok && c.Reason == "AmbiguousSelector" {
			evidence = append(evidence, fmt.Sprintf("HPA %s %s", key, describeCondition(c)))
		}
	}
	evidence = append(evidence, fmt.Sprintf("pods selected: %d, by selector %s",
		len(snap.PodsOf(first)), selectorString(snap.TargetOf(first).Selector)))

	return Finding{ID: idSharedPods, Severity: Error,
		Subject: Subject{Kind: target.Kind, Namespace: target.Namespace, Name: target.Name},
		Message: fmt.Sprintf("%d HPAs control the pods of %s %s: current controllers disable "+
			"all of them (AmbiguousSelector), older ones make them fight", len(members),
			target.Kind, target.Name),
		Evidence:    evidence,
		Remediation: sharedRemedy(keda),
		HPAs:        members,
	}
}

func sharedRemedy(keda bool) string {
	if keda {
		return "keep exactly one autoscaler: move cpu and memory into the ScaledObject as " +
			"cpu/memory triggers next to its other triggers and delete the hand-written HPA, or " +
			"let KEDA adopt it (annotate the ScaledObject with scaledobject.keda.sh/transfer-" +
			"hpa-ownership: \"true\" and name the HPA in spec.advanced." +
			"horizontalPodAutoscalerConfig.name)"
	}
	return "keep exactly one HPA: delete the extra one and merge its metrics and behavior " +
		"into the other (one HPA holds several metrics and separate scale-up and scale-down " +
		"policies)"
}

// union is a small disjoint-set over HPA keys.
type union struct {
	parent map[string]string
	order  []string
}

func newUnion() *union { return &union{parent: map[string]string{}} }

func (u *union) add(k string) {
	if _, ok := u.parent[k]; !ok {
		u.parent[k] = k
		u.order = append(u.order, k)
	}
}

func (u *union) find(k string) string {
	for u.parent[k] != k {
		u.parent[k] = u.parent[u.parent[k]]
		k = u.parent[k]
	}
	return k
}

func (u *union) join(a, b string) { u.parent[u.find(b)] = u.find(a) }

// sets returns the groups in the order their first member was added, members sorted.
func (u *union) sets() [][]string {
	byRoot := map[string][]string{}
	var roots []string
	for _, k := range u.order {
		root := u.find(k)
		if _, ok := byRoot[root]; !ok {
			roots = append(roots, root)
		}
		byRoot[root] = append(byRoot[root], k)
	}
	out := make([][]string, 0, len(roots))
	for _, r := range roots {
		sort.Strings(byRoot[r])
		out = append(out, byRoot[r])
	}
	return out
}
