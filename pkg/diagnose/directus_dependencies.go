package diagnose

import (
	"fmt"

	"k8s.io/apimachinery/pkg/labels"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// dependenciesCheck (DX08): the Redis and database Services Directus is configured with must
// have ready endpoints. Pods that probe /server/ping stay Ready while both are down, so the
// outage shows only in failed API calls.
func dependenciesCheck(c *viewCache) Check {
	needs := append([]string{snapshot.ResServices, snapshot.ResEndpoints}, envNeeds()...)
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
// does not answer breaks every Directus pod now, hence an error.
func judgeDependency(snap *view, w *workload, what string, e endpoint) []Finding {
	if !dependencyDown(snap, e.Service) {
		return nil
	}
	svc := e.Service
	return []Finding{w.finding("DX08", Error, fmt.Sprintf("Directus is configured to use "+
		"%s at %s, but Service %s has no ready endpoint", what, e, svc.Name),
		[]string{fmt.Sprintf("%s address %s -> Service %s/%s", what, e, svc.Namespace, svc.Name),
			fmt.Sprintf("Service %s: selector %v, 0 ready endpoints", svc.Name, svc.Spec.Selector)},
		fmt.Sprintf("fix the %s workload first: check its pods (`kubectl -n %s get pods -l %s`) "+
			"and that Service %s selects them; until then every Directus pod points at a %s "+
			"that does not answer", what, svc.Namespace,
			selectorString(labels.SelectorFromSet(svc.Spec.Selector)),
			svc.Name, what))}
}
