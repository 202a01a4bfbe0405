package diagnose

import (
	"strings"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// envNeeds are the resources a check reading Directus' environment depends on.
func envNeeds() []string {
	return []string{snapshot.ResDeployments, snapshot.ResStatefulSets, snapshot.ResHPAs,
		snapshot.ResConfigMaps}
}

// directusJudge judges one Directus workload with its resolved environment.
type directusJudge func(w *workload, env *envView) []Finding

// eachDirectus runs judge on every Directus workload of the view.
func eachDirectus(v *view, judge directusJudge) []Finding {
	var out []Finding
	for _, w := range v.workloads {
		out = append(out, judge(w, w.env)...)
	}
	return out
}

// directusCheck is a check over every Directus workload of the snapshot, judged on the view
// the cache holds for it.
func directusCheck(c *viewCache, id, title string, needs []string,
	judge func(v *view) directusJudge) Check {
	return Check{ID: id, Area: AreaDirectus, Title: title, Needs: needs,
		Run: func(_ CheckContext, snap *snapshot.Snapshot) []Finding {
			v := c.of(snap)
			return eachDirectus(v, judge(v))
		}}
}

// finding builds a finding about the workload; the first evidence item names its container.
func (w *workload) finding(id string, sev Severity, msg string, evidence []string,
	fix string) Finding {
	c := w.Container
	items := append([]string{"container " + c.Name + " (image " + c.Image + ")"}, evidence...)
	return Finding{ID: id, Severity: sev, Subject: w.subject(), Message: msg, Evidence: items,
		Remediation: fix}
}

// envList renders variables for evidence.
func envList(vars ...envVar) string {
	parts := make([]string, len(vars))
	for i, v := range vars {
		parts[i] = v.describe()
	}
	return strings.Join(parts, "; ")
}
