package diagnose

import (
	"fmt"
	"strings"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// imageCheck (DX23): an unpinned tag changes Directus under the running pods at the next pull,
// and a major version below 12 misses the changes the product expects.
func imageCheck(c *viewCache) Check {
	return directusCheck(c, "DX23", "the Directus image is pinned", envNeeds(),
		func(*view) directusJudge { return judgeImage })
}

func judgeImage(w *workload, _ *envView) []Finding {
	image := w.Container.Image
	tag, digest := imageTag(image)
	if digest {
		return nil
	}
	if tag == "" || tag == "latest" {
		return []Finding{w.finding("DX23", Warning, "the Directus image is not pinned: pods "+
			"started at different times may run different versions, and an upgrade can "+
			"happen without its migrations", []string{"image " + image},
			"pin an exact version, e.g. directus/directus:12.2.0, and upgrade deliberately")}
	}
	if major, ok := imageMajor(image); ok && major < 12 {
		return []Finding{w.finding("DX23", Info, fmt.Sprintf("Directus %d: version 12 changed "+
			"defaults that matter on upgrade (IP_TRUST_PROXY, WebSocket origins, image contents)",
			major), []string{"image " + image}, "read the version 12 breaking changes before "+
			"upgrading; run the upgrade's migrations in a bootstrap Job")}
	}
	return nil
}

// bitnamiCheck (DX34): the images of the Directus pod and of the database and Redis it uses
// should not come from Bitnami's catalogue, which moved to a legacy repository.
func bitnamiCheck(c *viewCache) Check {
	needs := append([]string{snapshot.ResServices}, envNeeds()...)
	return directusCheck(c, "DX34", "no Bitnami images in the release", needs,
		func(snap *view) directusJudge {
			return func(w *workload, env *envView) []Finding {
				return judgeBitnami(snap, w, env)
			}
		})
}

func judgeBitnami(snap *view, w *workload, env *envView) []Finding {
	var evidence []string
	for _, c := range w.Template.Spec.Containers {
		if isBitnami(c.Image) {
			evidence = append(evidence, "container "+c.Name+": "+c.Image)
		}
	}
	for _, e := range dependencyEndpoints(snap, w, env) {
		if tmpl := backingTemplate(snap, e.Service); tmpl != nil {
			for _, c := range tmpl.spec.Containers {
				if isBitnami(c.Image) {
					evidence = append(evidence, tmpl.kind+" "+tmpl.name+": "+c.Image)
				}
			}
		}
	}
	if len(evidence) == 0 {
		return nil
	}
	return []Finding{w.finding("DX34", Info, "Bitnami images: their catalogue moved to a "+
		"legacy repository that no longer receives updates", evidence,
		"use the official images: postgres:17.x, valkey/valkey:8.x or redis:7.2, "+
			"directus/directus")}
}

func isBitnami(image string) bool {
	repo := imageRepository(image)
	return strings.HasPrefix(repo, "bitnami/") || strings.HasPrefix(repo, "bitnamilegacy/") ||
		strings.Contains(repo, "/bitnami/") || strings.Contains(repo, "/bitnamilegacy/")
}

// dependencyEndpoints are the database and Redis Directus is configured with.
func dependencyEndpoints(snap *view, w *workload, env *envView) []endpoint {
	var out []endpoint
	if e, ok := databaseEndpoint(snap, w.Meta.Namespace, env); ok {
		out = append(out, e)
	}
	if e, ok := redisEndpoint(snap, w.Meta.Namespace, env); ok {
		out = append(out, e)
	}
	return out
}
