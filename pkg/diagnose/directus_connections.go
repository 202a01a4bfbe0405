package diagnose

import (
	"fmt"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// Connection arithmetic: the database driver's pool per process, PostgreSQL's default limit,
// and the connections kept free for superusers, the bootstrap Job and admin tools.
const (
	defaultPoolMax        = 10
	defaultMaxConnections = 100
	connectionHeadroom    = 10
)

// connectionsCheck (DX24): at maxReplicas, plus the pods a rollout surges, every Directus
// process may hold a full pool; the sum must fit in PostgreSQL's max_connections.
func connectionsCheck(c *viewCache) Check {
	needs := append([]string{snapshot.ResServices}, envNeeds()...)
	return directusCheck(c, "DX24",
		"connection pools fit PostgreSQL's max_connections at maxReplicas", needs,
		func(snap *view) directusJudge {
			return func(w *workload, env *envView) []Finding {
				return judgeConnections(snap, w, env)
			}
		})
}

// poolMath is the peak connection count of a workload and how it was reached.
type poolMath struct {
	replicas, surge, processes, pool int
}

func (p poolMath) peak() int { return (p.replicas + p.surge) * p.processes * p.pool }

func (p poolMath) String() string {
	return fmt.Sprintf("peak = (maxReplicas %d + maxSurge %d) x PM2_INSTANCES %d x DB_POOL__MAX "+
		"%d = %d connections", p.replicas, p.surge, p.processes, p.pool, p.peak())
}

func judgeConnections(snap *view, w *workload, env *envView) []Finding {
	client, known := env.value("DB_CLIENT", "sqlite3")
	if !known || (client != "pg" && client != "postgres" && client != "postgresql") {
		return nil
	}
	math, ok := connectionMath(w, env)
	if !ok {
		return nil
	}
	e, _ := databaseEndpoint(snap, w.Meta.Namespace, env)
	limit, source, found := maxConnections(snap, e.Service)
	if !found {
		return []Finding{w.finding("DX24", Info, "PostgreSQL's max_connections could not be "+
			"read: compare it with the peak below",
			[]string{math.String(), "database " + e.String()},
			poolFix(math, defaultMaxConnections))}
	}
	if math.peak() <= limit-connectionHeadroom {
		return nil
	}
	return []Finding{w.finding("DX24", Warning, fmt.Sprintf("at maxReplicas Directus may open "+
		"%d connections, more than PostgreSQL's %d minus %d kept free: requests fail with "+
		"\"too many clients\" as the HPA scales out", math.peak(), limit, connectionHeadroom),
		[]string{math.String(), fmt.Sprintf("max_connections %d (%s)", limit, source)},
		poolFix(math, limit))}
}

func poolFix(m poolMath, limit int) string {
	pool := (limit - connectionHeadroom) / max((m.replicas+m.surge)*m.processes, 1)
	return fmt.Sprintf("set DB_POOL__MAX to (max_connections - %d) / ((maxReplicas + maxSurge) x "+
		"PM2_INSTANCES) = %d for max_connections %d, or raise max_connections "+
		"(postgres -c max_connections=...)", connectionHeadroom, max(pool, 1), limit)
}

// connectionMath reads the factors of the peak; ok is false when one sits in a Secret.
func connectionMath(w *workload, env *envView) (poolMath, bool) {
	pool, okPool := intVar(env, "DB_POOL__MAX", defaultPoolMax)
	procs, okProcs := intVar(env, "PM2_INSTANCES", 1)
	m := poolMath{replicas: int(w.maxReplicas()), surge: maxSurge(w), processes: max(procs, 1),
		pool: pool}
	return m, okPool && okProcs
}

func intVar(env *envView, name string, def int) (int, bool) {
	raw, known := env.value(name, strconv.Itoa(def))
	if !known {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(raw))
	return n, err == nil
}

// maxSurge is how many pods above the replica count a rollout adds at maxReplicas: the
// Deployment's maxSurge (default 25 %, rounded up), 0 for Recreate and StatefulSets.
func maxSurge(w *workload) int {
	if w.Deployment == nil {
		return 0
	}
	strategy := w.Deployment.Spec.Strategy
	if strategy.Type == "Recreate" {
		return 0
	}
	surge := intstr.FromString("25%")
	if ru := strategy.RollingUpdate; ru != nil && ru.MaxSurge != nil {
		surge = *ru.MaxSurge
	}
	n, err := intstr.GetScaledValueFromIntOrPercent(&surge, int(w.maxReplicas()), true)
	if err != nil {
		return 0
	}
	return n
}

// maxConnections reads PostgreSQL's limit from the workload behind the database Service: its
// command line, a mounted ConfigMap, the POSTGRESQL_MAX_CONNECTIONS variable some images read,
// or the image default.
func maxConnections(snap *view, svc *corev1.Service) (int, string, bool) {
	b := backingTemplate(snap, svc)
	if b == nil {
		return 0, "", false
	}
	c := postgresContainer(b.spec)
	if c == nil {
		return 0, "", false
	}
	where := b.kind + " " + b.name
	if n, ok := settingIn(strings.Join(append(c.Command, c.Args...), " ")); ok {
		return n, "command line of " + where, true
	}
	for _, e := range c.Env {
		if n, err := strconv.Atoi(e.Value); e.Name == "POSTGRESQL_MAX_CONNECTIONS" && err == nil {
			return n, "POSTGRESQL_MAX_CONNECTIONS of " + where, true
		}
	}
	if n, name, ok := settingInConfigMaps(snap, svc.Namespace, b.spec); ok {
		return n, "ConfigMap " + name + " mounted in " + where, true
	}
	return defaultMaxConnections, "PostgreSQL default; " + where + " does not set it", true
}

// settingIn finds "max_connections = N" (or max-connections, or N quoted) in a command line
// or a configuration file. A commented-out line in a file still counts: the doctor does not
// parse postgresql.conf.
func settingIn(text string) (int, bool) {
	text = strings.ReplaceAll(text, "max-connections", "max_connections")
	for {
		i := strings.Index(text, "max_connections")
		if i < 0 {
			return 0, false
		}
		text = text[i+len("max_connections"):]
		rest := strings.TrimLeft(text, " \t")
		if !strings.HasPrefix(rest, "=") {
			continue
		}
		rest = strings.TrimLeft(rest[1:], " \t'\"")
		end := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' })
		if end < 0 {
			end = len(rest)
		}
		if n, err := strconv.Atoi(rest[:end]); err == nil {
			return n, true
		}
	}
}

func settingInConfigMaps(snap *view, ns string,
	spec *corev1.PodSpec) (int, string, bool) {
	cms := snap.configMaps[ns]
	for _, v := range spec.Volumes {
		if v.ConfigMap == nil || cms[v.ConfigMap.Name] == nil {
			continue
		}
		for _, text := range cms[v.ConfigMap.Name].Data {
			if n, ok := settingIn(text); ok {
				return n, v.ConfigMap.Name, true
			}
		}
	}
	return 0, "", false
}

// postgresContainer returns the container running a PostgreSQL image.
func postgresContainer(spec *corev1.PodSpec) *corev1.Container {
	for i := range spec.Containers {
		if isPostgresImage(spec.Containers[i].Image) {
			return &spec.Containers[i]
		}
	}
	return nil
}

func isPostgresImage(image string) bool {
	repo := imageRepository(image)
	base := repo[strings.LastIndex(repo, "/")+1:]
	return base == "postgres" || base == "postgresql"
}
