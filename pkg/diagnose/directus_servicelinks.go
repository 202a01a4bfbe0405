package diagnose

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// manyServices is where the service links of a namespace make a pod's environment large
// enough to fail the process start (E2BIG).
const manyServices = 500

// Prefixes of variables Directus acts on: any REDIS_* turns Redis on, DB_* go to the database
// driver, the others configure cache, storage and Directus itself.
func directusEnvPrefixes() []string {
	return []string{"REDIS", "DB", "CACHE", "STORAGE", "DIRECTUS"}
}

// serviceLinksCheck (DX19): unless enableServiceLinks is false, the kubelet injects
// <SERVICE>_SERVICE_HOST, <SERVICE>_PORT=tcp://… and more for every Service of the namespace;
// a Service named redis or db hands Directus settings nobody wrote.
func serviceLinksCheck(c *viewCache) Check {
	needs := append([]string{snapshot.ResServices}, envNeeds()...)
	return directusCheck(c, "DX19", "Services do not inject settings into Directus", needs,
		func(snap *view) directusJudge {
			return func(w *workload, _ *envView) []Finding { return judgeServiceLinks(snap, w) }
		})
}

func judgeServiceLinks(snap *view, w *workload) []Finding {
	links := w.Template.Spec.EnableServiceLinks
	if links != nil && !*links {
		return nil
	}
	var evidence []string
	count := 0
	for _, svc := range snap.byNS[w.Meta.Namespace] {
		count++
		if injected := collidingLinks(svc); injected != "" {
			evidence = append(evidence, injected)
		}
	}
	if count >= manyServices {
		evidence = append(evidence, fmt.Sprintf("%d Services in %s: every one adds about 7 "+
			"variables to each pod", count, w.Meta.Namespace))
	}
	if len(evidence) == 0 {
		return nil
	}
	return []Finding{w.finding("DX19", Warning, "service links inject variables Directus "+
		"reads as settings, or too many of them", append([]string{"enableServiceLinks not false"},
		evidence...), "set enableServiceLinks: false in the pod spec; Directus reaches its "+
		"Services by DNS name")}
}

// collidingLinks names the variables a Service injects when their prefix is one Directus acts
// on, "" when it injects none.
func collidingLinks(svc *corev1.Service) string {
	prefix := strings.ToUpper(strings.ReplaceAll(svc.Name, "-", "_"))
	for _, p := range directusEnvPrefixes() {
		if prefix == p || strings.HasPrefix(prefix, p+"_") {
			return fmt.Sprintf("Service %s injects %s_SERVICE_HOST, %s_PORT=tcp://…", svc.Name,
				prefix, prefix)
		}
	}
	return ""
}
