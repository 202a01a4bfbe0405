package diagnose

import (
	"fmt"
	"path"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// The official PostgreSQL image keeps its data in pgDataDir up to version 17; version 18
// moved the data to a versioned directory under /var/lib/postgresql.
const pgDataDir = "/var/lib/postgresql/data"

// postgresDataCheck (DX25): a volume mounted at the data directory itself breaks initdb on
// volumes whose root holds lost+found (up to 17); from 18 on, a volume there holds none of the
// data at all.
func postgresDataCheck(c *viewCache) Check {
	return Check{ID: "DX25", Area: AreaDirectus, Title: "PostgreSQL keeps its data on its volume",
		Needs: []string{snapshot.ResDeployments, snapshot.ResStatefulSets, snapshot.ResHPAs},
		Run: func(_ CheckContext, snap *snapshot.Snapshot) []Finding {
			var out []Finding
			for _, db := range postgresWorkloads(c.of(snap)) {
				out = append(out, judgePostgresData(db)...)
			}
			return out
		}}
}

// postgresWorkloads returns the PostgreSQL StatefulSets and Deployments of the namespaces
// that run Directus.
func postgresWorkloads(snap *view) []*workload {
	namespaces := map[string]bool{}
	for _, w := range snap.workloads {
		namespaces[w.Meta.Namespace] = true
	}
	var out []*workload
	for i := range snap.StatefulSets {
		s := &snap.StatefulSets[i]
		if c := postgresContainer(&s.Spec.Template.Spec); c != nil && namespaces[s.Namespace] {
			out = append(out, &workload{Kind: "StatefulSet", Meta: &s.ObjectMeta,
				Template: &s.Spec.Template, Container: c})
		}
	}
	for i := range snap.Deployments {
		d := &snap.Deployments[i]
		if c := postgresContainer(&d.Spec.Template.Spec); c != nil && namespaces[d.Namespace] {
			out = append(out, &workload{Kind: "Deployment", Meta: &d.ObjectMeta,
				Template: &d.Spec.Template, Container: c})
		}
	}
	return out
}

func judgePostgresData(db *workload) []Finding {
	major, ok := imageMajor(db.Container.Image)
	mounted := mountedAt(db.Container, pgDataDir)
	if !ok || !mounted {
		return nil
	}
	pgdata := literalEnv(db.Container, "PGDATA")
	evidence := []string{fmt.Sprintf("volume mounted at %s; PGDATA %s", pgDataDir,
		orUnset(pgdata))}
	switch {
	case major >= 18:
		return []Finding{db.finding("DX25", Warning, fmt.Sprintf("PostgreSQL %d keeps its data "+
			"under /var/lib/postgresql/%d/docker, outside the volume at %s: it is lost with "+
			"the pod", major, major, pgDataDir), evidence, "mount the volume at "+
			"/var/lib/postgresql instead (and migrate the data of the old layout first)")}
	case pgdata == "" || path.Clean(pgdata) == pgDataDir:
		return []Finding{db.finding("DX25", Warning, "PGDATA is the volume's root: initdb "+
			"refuses a directory that holds lost+found, as many volumes do", evidence,
			"set PGDATA="+pgDataDir+"/pgdata, a subdirectory of the volume")}
	}
	return nil
}

func mountedAt(c *corev1.Container, dir string) bool {
	for _, m := range c.VolumeMounts {
		if path.Clean(m.MountPath) == dir {
			return true
		}
	}
	return false
}

func literalEnv(c *corev1.Container, name string) string {
	for _, e := range c.Env {
		if e.Name == name && e.ValueFrom == nil {
			return e.Value
		}
	}
	return ""
}

func orUnset(v string) string {
	if v == "" {
		return "unset"
	}
	return v
}
