package diagnose

import (
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// secretCheck (DX06): Directus signs tokens with SECRET. Without it each process invents a
// random one, so a token issued by one pod is rejected by the next.
func secretCheck(c *viewCache) Check {
	needs := append([]string{snapshot.ResPods}, envNeeds()...)
	return directusCheck(c, "DX06", "every Directus pod signs tokens with the same SECRET", needs,
		func(snap *view) directusJudge {
			return func(w *workload, env *envView) []Finding {
				if f, ok := judgeSecretSource(w, env); ok {
					return []Finding{f}
				}
				return judgeSecretAcrossPods(snap, w)
			}
		})
}

const secretFix = "create one Secret with a long random value, e.g. `kubectl -n <ns> create " +
	"secret generic <name> --from-literal=SECRET=\"$(openssl rand -base64 48)\"`, reference " +
	"it with env SECRET valueFrom.secretKeyRef, and keep it across upgrades (create it outside " +
	"the release, or mark it helm.sh/resource-policy: keep); everyone is logged out once more " +
	"when the change rolls out"

// judgeSecretSource judges where the pod template takes SECRET from.
func judgeSecretSource(w *workload, env *envView) (Finding, bool) {
	secret := env.get("SECRET")
	if secret.State == envUnset || (secret.State == envKnown && secret.Value == "") {
		return secretFromFile(w, env)
	}
	switch {
	case secret.State == envKnown:
		return w.finding("DX06", Warning, "SECRET is stored in plain text where anyone "+
			"who can read the workload or its ConfigMaps sees it", []string{secretOrigin(secret),
			fmt.Sprintf("value of %d characters (not shown)", len(secret.Value))},
			secretFix), true
	case secret.State == envMaybe && optionalSecretSource(env, secret):
		return w.finding("DX06", Warning, "SECRET comes from an optional reference: if the "+
			"key is missing, every process signs tokens with its own random key",
			[]string{secret.describe(), w.replicaRange(), "the doctor does not read Secret " +
				"data, so it cannot tell whether the key exists"},
			"make the reference required (drop optional: true) so that a missing key stops "+
				"the pod instead of starting it with a random SECRET"), true
	}
	return Finding{}, false
}

// secretFromFile judges SECRET_FILE when SECRET itself is unset.
func secretFromFile(w *workload, env *envView) (Finding, bool) {
	file, set := env.fileVar("SECRET")
	switch {
	case set && file.State == envOpaque && strings.Contains(file.From, "no volume mounted"):
		return w.finding("DX06", Warning, "SECRET_FILE points to a path no volume provides",
			[]string{file.describe()}, secretFix), true
	case set:
		return Finding{}, false
	}

	sev := Warning
	if w.several() {
		sev = Error
	}
	checked := append(env.checked(), "SECRET_FILE unset")
	return w.finding("DX06", sev, "SECRET is not set: each Directus process signs tokens "+
		"with its own random key, so sessions break when a request reaches another pod "+
		"or a pod restarts", []string{w.replicaRange(), "SECRET unset; sources checked: " +
		strings.Join(checked, ", ")}, secretFix), true
}

func secretOrigin(v envVar) string {
	if v.Ref != "" {
		return "SECRET set in " + v.Ref
	}
	return "SECRET set as a literal value in the pod template"
}

// optionalSecretSource reports whether a "maybe" SECRET comes from an optional source. A
// required envFrom Secret is taken to hold the key: the doctor does not read it.
func optionalSecretSource(env *envView, v envVar) bool {
	if strings.HasPrefix(v.From, "optional ") {
		return true
	}
	for _, s := range env.secretsFrom {
		if "envFrom Secret "+s.name == v.From {
			return s.optional
		}
	}
	return false
}

// judgeSecretAcrossPods compares where the running pods of the workload read SECRET from:
// during a rollout old and new pods may read different Secrets.
func judgeSecretAcrossPods(snap *view, w *workload) []Finding {
	counts := secretSourcesOfPods(snap, w)
	if len(counts) < 2 {
		return nil
	}

	groups := map[string][]string{} // source -> "ReplicaSet x (n pods)"
	for source, gens := range counts {
		for gen, n := range gens {
			groups[source] = append(groups[source],
				fmt.Sprintf("%s (%d %s)", gen, n, plural(n, "pod", "pods")))
		}
	}
	return []Finding{w.finding("DX06", Warning, "pods of one workload read SECRET from "+
		"different sources: tokens issued by one set are rejected by the other",
		secretGroupsEvidence(groups), secretFix)}
}

// secretSourcesOfPods counts the workload's pods by where they read SECRET from and by the
// ReplicaSet (or revision) they belong to. Pods of one generation share their spec, so the
// environment is resolved once per generation.
func secretSourcesOfPods(snap *view, w *workload) map[string]map[string]int {
	counts := map[string]map[string]int{}
	sourceOf := map[string]string{}
	for _, pod := range podsOfWorkload(snap, w) {
		gen := podGeneration(pod)
		source, seen := sourceOf[gen]
		if !seen {
			c := directusContainerOf(&pod.Spec)
			if c == nil {
				continue
			}
			source = secretSourceKey(resolveEnv(snap, pod.Namespace, &pod.Spec, c))
			sourceOf[gen] = source
		}
		if counts[source] == nil {
			counts[source] = map[string]int{}
		}
		counts[source][gen]++
	}
	return counts
}

func secretGroupsEvidence(groups map[string][]string) []string {
	var out []string
	for source, gens := range groups {
		sort.Strings(gens)
		out = append(out, strings.Join(gens, ", ")+": "+source)
	}
	sort.Strings(out)
	return out
}

// secretSourceKey names where a pod reads SECRET from, without the value.
func secretSourceKey(env *envView) string {
	v := env.get("SECRET")
	if v.State == envUnset {
		if file, set := env.fileVar("SECRET"); set {
			return file.describe()
		}
		return "SECRET unset"
	}
	if v.State == envKnown {
		return fmt.Sprintf("SECRET literal in %s (%d characters)", v.From, len(v.Value))
	}
	return v.describe()
}

// podsOfWorkload returns the pods the workload controls, directly or through a ReplicaSet.
func podsOfWorkload(snap *view, w *workload) []*corev1.Pod {
	sel, err := metav1.LabelSelectorAsSelector(w.Selector)
	if err != nil {
		return nil
	}
	var out []*corev1.Pod
	for _, pod := range snap.PodsMatching(w.Meta.Namespace, sel) {
		if kind, name := snap.Owner(pod); kind == w.Kind && name == w.Meta.Name {
			out = append(out, pod)
		}
	}
	return out
}

// podGeneration names the ReplicaSet or revision a pod belongs to.
func podGeneration(pod *corev1.Pod) string {
	if ref := metav1.GetControllerOf(pod); ref != nil && ref.Kind == "ReplicaSet" {
		return "ReplicaSet " + ref.Name
	}
	if rev := pod.Labels["controller-revision-hash"]; rev != "" {
		return "revision " + rev
	}
	return "pod " + pod.Name
}
