package diagnose

import (
	"fmt"
	"strings"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// sharedRedisCheck (DX31): Directus installations of different projects on one Redis database
// with the same key namespaces read each other's caches and messages.
func sharedRedisCheck(c *viewCache) Check {
	needs := append([]string{snapshot.ResServices}, envNeeds()...)
	return Check{ID: "DX31", Area: AreaDirectus,
		Title: "each Directus project has its own Redis keys",
		Needs: needs, Run: func(_ CheckContext, snap *snapshot.Snapshot) []Finding {
			return judgeSharedRedis(c.of(snap))
		}}
}

// redisUser is a Directus workload with the Redis keys it uses and the project it serves.
type redisUser struct {
	w       *workload
	project string
}

func judgeSharedRedis(snap *view) []Finding {
	groups := map[string][]redisUser{}
	var order []string
	for _, w := range snap.workloads {
		key, project, ok := redisKeys(snap, w, w.env)
		if !ok {
			continue
		}
		if groups[key] == nil {
			order = append(order, key)
		}
		groups[key] = append(groups[key], redisUser{w: w, project: project})
	}

	var out []Finding
	for _, key := range order {
		out = append(out, judgeRedisGroup(key, groups[key])...)
	}
	return out
}

// redisKeys names where a workload's Redis keys live (server, database and key namespaces)
// and the project it serves (its database).
func redisKeys(snap *view, w *workload, env *envView) (string, string, bool) {
	redis, okRedis := redisEndpoint(snap, w.Meta.Namespace, env)
	db, okDB := databaseEndpoint(snap, w.Meta.Namespace, env)
	cacheNS, okCache := env.value("CACHE_NAMESPACE", "")
	syncNS, okSync := env.value("SYNCHRONIZATION_NAMESPACE", "")
	database, okName := env.value("DB_DATABASE", "")
	if !okRedis || !okDB || !okCache || !okSync || !okName {
		return "", "", false
	}
	index := redis.DB
	if index == "" {
		index = "0"
	}
	key := fmt.Sprintf("%s db %s, CACHE_NAMESPACE %s, SYNCHRONIZATION_NAMESPACE %s",
		endpointName(w.Meta.Namespace, redis), index, orUnset(cacheNS), orUnset(syncNS))
	return key, endpointName(w.Meta.Namespace, db) + "/" + database, true
}

func endpointName(ns string, e endpoint) string {
	if e.Service != nil {
		return e.Service.Namespace + "/" + e.Service.Name + ":" + e.Port
	}
	return e.String()
}

func judgeRedisGroup(key string, users []redisUser) []Finding {
	projects := map[string]bool{}
	for _, u := range users {
		projects[u.project] = true
	}
	if len(projects) < 2 {
		return nil
	}
	var out []Finding
	for _, u := range users {
		var others []string
		for _, o := range users {
			if o.project != u.project {
				others = append(others, fmt.Sprintf("%s %s/%s (database %s)", o.w.Kind,
					o.w.Meta.Namespace, o.w.Meta.Name, o.project))
			}
		}
		out = append(out, u.w.finding("DX31", Warning, "another Directus project uses the "+
			"same Redis keys: caches and messages leak between the projects",
			[]string{"Redis " + key, "shared with " + strings.Join(others, ", ")},
			"give each project its own Redis (simplest), or its own database index and "+
				"distinct CACHE_NAMESPACE and SYNCHRONIZATION_NAMESPACE"))
	}
	return out
}
