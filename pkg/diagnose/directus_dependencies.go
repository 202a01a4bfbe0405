package diagnose

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// dependenciesCheck (DX08): the Redis and database Services Directus is configured with must
// have ready endpoints. Pods that probe /server/ping stay Ready while both are down, so the
// outage shows only in failed API calls.
func dependenciesCheck(c *viewCache) Check {
	needs := append([]string{snapshot.ResServices, snapshot.ResEndpoints, snapshot.ResPods},
		envNeeds()...)
	return directusCheck(c, "DX08", "the Redis and database Directus uses have ready endpoints",
		needs, func(snap *view) directusJudge {
			return func(w *workload, env *envView) []Finding {
				var out []Finding
				if e, ok := redisEndpoint(snap, w.Meta.Namespace, env); ok {
					out = append(out, judgeDependency(snap, w, "Redis", e)...)
				}
				if e, ok := databaseEndpoint(snap, w.Meta.Namespace, env); ok {
					out = append(out, judgeDependency(snap, w, "database", e)...)
				}
				return out
			}
		})
}

// judgeDependency reports a dependency whose Service has no ready endpoint. A dependency that
// does not answer breaks every Directus pod now, hence an error. The evidence says whether
// the Service's pods are down, or Ready but not endpoints (a targetPort that names no port of
// the pods, or pods without an IP).
func judgeDependency(snap *view, w *workload, what string, e endpoint) []Finding {
	if !dependencyDown(snap, e.Service) {
		return nil
	}
	svc := e.Service
	sel := labels.SelectorFromSet(svc.Spec.Selector)
	evidence := []string{
		fmt.Sprintf("%s address %s -> Service %s/%s", what, e, svc.Namespace, svc.Name),
		fmt.Sprintf("Service %s: selector %s, 0 ready endpoints", svc.Name, selectorString(sel)),
	}
	if len(svc.Spec.Selector) > 0 {
		evidence = append(evidence, selectedPods(snap, svc, sel))
	}
	return []Finding{w.finding("DX08", Error, fmt.Sprintf("Directus is configured to use "+
		"%s at %s, but Service %s has no ready endpoint", what, e, svc.Name), evidence,
		fmt.Sprintf("fix the %s workload first: check its pods (`kubectl -n %s get pods -l %s`), "+
			"that Service %s selects them and that its targetPort names a port they expose; "+
			"until then every Directus pod points at a %s that does not answer", what,
			svc.Namespace, selectorString(sel), svc.Name, what))}
}

// selectedPods describes the pods a Service selects and how many are Ready. Pods being deleted
// are named apart: the endpoint controller drops them at once, Ready or not, so they are no
// sign of a targetPort fault.
func selectedPods(snap *view, svc *corev1.Service, sel labels.Selector) string {
	var live, terminating, ready []string
	for _, pod := range snap.PodsMatching(svc.Namespace, sel) {
		switch {
		case pod.DeletionTimestamp != nil:
			terminating = append(terminating, pod.Name)
		case podReady(pod):
			live = append(live, pod.Name)
			ready = append(ready, pod.Name)
		default:
			live = append(live, pod.Name)
		}
	}

	var text string
	if len(ready) == 0 {
		text = fmt.Sprintf("Service %s selects %d pods, none Ready", svc.Name, len(live))
	} else {
		text = fmt.Sprintf("Service %s selects %d pods, Ready but not endpoints: %s (does "+
			"targetPort name a port of the pods, and do they have an IP?)", svc.Name, len(live),
			joinAnd(ready))
	}
	if len(terminating) > 0 {
		text += fmt.Sprintf("; %d more terminating: %s", len(terminating), joinAnd(terminating))
	}
	return text
}
