package diagnose

import (
	"slices"
	"sort"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	"k8s.io/klog/v2"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// KindHPA is the Subject kind of a HorizontalPodAutoscaler.
const KindHPA = "HorizontalPodAutoscaler"

// clusterKey stands for "the whole cluster" among the subjects a root cause applies to.
const clusterKey = ""

// Run judges a snapshot with every check of the registry: cluster-level checks first, then
// each HPA in namespace/name order. It never fails: checks whose inputs are missing are
// listed in CouldNotCheck, and checks explained by a root cause are marked so.
func (r *Registry) Run(cc CheckContext, snap *snapshot.Snapshot) *Report {
	run := &runner{cc: cc, snap: snap, report: newReport(), causes: map[string]map[string]bool{},
		seen: map[findingKey]int{}}
	for _, c := range r.checks {
		if c.Run != nil {
			run.cluster(c)
		}
	}

	hpas := sortedHPAs(snap.HPAs)
	run.report.Summary.HPAs = len(hpas)
	for _, hpa := range hpas {
		for _, c := range r.checks {
			if c.RunHPA != nil {
				run.perHPA(c, hpa)
			}
		}
	}
	run.hpaListGap(r.checks)

	run.report.summarize()
	return run.report
}

type runner struct {
	cc     CheckContext
	snap   *snapshot.Snapshot
	report *Report
	// causes maps a check ID to where it found a root cause: clusterKey when it reported an
	// error cluster-wide, an HPA's namespace/name when it reported anything on that HPA.
	causes map[string]map[string]bool
	// seen indexes the findings reported so far, to merge repeats.
	seen map[findingKey]int
}

func (run *runner) cluster(c Check) {
	if cause, ok := run.explained(c, clusterKey); ok {
		run.addResult(c, nil, ResultExplained, OK, cause)
		return
	}
	if gap, ok := run.missing(c, ""); ok {
		run.notChecked(c, nil, gap)
		return
	}

	findings := c.Run(run.cc, run.snap)
	run.record(c, nil, clusterKey, findings)
}

func (run *runner) perHPA(c Check, hpa *autoscalingv2.HorizontalPodAutoscaler) {
	subject := &Subject{Kind: KindHPA, Namespace: hpa.Namespace, Name: hpa.Name}
	key := hpa.Namespace + "/" + hpa.Name
	if cause, ok := run.explained(c, key); ok {
		run.addResult(c, subject, ResultExplained, OK, cause)
		return
	}
	if gap, ok := run.missing(c, hpa.Namespace); ok {
		run.notChecked(c, subject, gap)
		return
	}

	findings := c.RunHPA(run.cc, run.snap, hpa)
	run.record(c, subject, key, findings)
}

// hpaListGap reports every per-HPA check as not run when the HPAs themselves could not be
// listed.
func (run *runner) hpaListGap(checks []Check) {
	gap, ok := run.snap.GapFor(snapshot.ResHPAs)
	if !ok {
		return
	}
	for _, c := range checks {
		if c.RunHPA != nil {
			run.notChecked(c, nil, gap)
		}
	}
}

// explained returns the first root-cause check that explains this check on the cluster or on
// this HPA.
func (run *runner) explained(c Check, key string) (string, bool) {
	for _, cause := range c.ExplainedBy {
		if run.causes[cause][clusterKey] || run.causes[cause][key] {
			return cause, true
		}
	}
	return "", false
}

// missing returns the gap that keeps the check from running: a failed read of a resource it
// needs, cluster-wide or in namespace ns (any namespace when ns is empty).
func (run *runner) missing(c Check, ns string) (snapshot.Gap, bool) {
	for _, need := range c.Needs {
		for _, gap := range run.snap.Gaps {
			if gap.Resource == need && (ns == "" || gap.Namespace == "" || gap.Namespace == ns) {
				return gap, true
			}
		}
	}
	return snapshot.Gap{}, false
}

func (run *runner) record(c Check, subject *Subject, key string, findings []Finding) {
	worst := OK
	for _, f := range findings {
		if f.ID == "" {
			f.ID = c.ID
		}
		if key != clusterKey && !slices.Contains(f.HPAs, key) {
			f.HPAs = append(slices.Clip(f.HPAs), key)
		}
		worst = max(worst, f.Severity)
		run.add(f)
	}
	run.markCauses(c.ID, key, worst, findings)

	result := ResultPassed
	if worst > OK {
		result = ResultFound
	}
	run.addResult(c, subject, result, worst, "")
	klog.V(4).Infof("check %s on %v: %s", c.ID, subject, result)
}

// markCauses records where a check found a root cause: cluster-wide for an error of a
// cluster-level check, and on every HPA a finding concerns (the one a per-HPA check ran for,
// or those a cluster-level finding names).
func (run *runner) markCauses(id, key string, worst Severity, findings []Finding) {
	mark := func(k string) {
		if run.causes[id] == nil {
			run.causes[id] = map[string]bool{}
		}
		run.causes[id][k] = true
	}
	if key == clusterKey && worst == Error {
		mark(clusterKey)
	}
	for _, f := range findings {
		if f.Severity == OK {
			continue
		}
		for _, hpa := range f.HPAs {
			mark(hpa)
		}
		if key != clusterKey {
			mark(key)
		}
	}
}

// add appends a finding, merging it into an equal one already reported for another HPA: two
// autoscalers over one Deployment are one problem, not two.
func (run *runner) add(f Finding) {
	key := findingKey{id: f.ID, subject: f.Subject, message: f.Message}
	if i, ok := run.seen[key]; ok {
		prev := &run.report.Findings[i]
		for _, hpa := range f.HPAs {
			if !slices.Contains(prev.HPAs, hpa) {
				prev.HPAs = append(prev.HPAs, hpa)
			}
		}
		return
	}
	run.seen[key] = len(run.report.Findings)
	run.report.Findings = append(run.report.Findings, f)
}

type findingKey struct {
	id      string
	subject Subject
	message string
}

func (run *runner) addResult(c Check, subject *Subject, result string, sev Severity, cause string) {
	run.report.Checked = append(run.report.Checked, CheckResult{ID: c.ID, Area: c.Area,
		Title: c.Title, Subject: subject, Result: result, Severity: sev, ExplainedBy: cause})
}

func (run *runner) notChecked(c Check, subject *Subject, gap snapshot.Gap) {
	run.report.CouldNotCheck = append(run.report.CouldNotCheck, NotChecked{ID: c.ID,
		Title: c.Title, Subject: subject, Reason: gap.String()})
}

func sortedHPAs(
	list []autoscalingv2.HorizontalPodAutoscaler) []*autoscalingv2.HorizontalPodAutoscaler {
	out := make([]*autoscalingv2.HorizontalPodAutoscaler, len(list))
	for i := range list {
		out[i] = &list[i]
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].Namespace != out[b].Namespace {
			return out[a].Namespace < out[b].Namespace
		}
		return out[a].Name < out[b].Name
	})
	return out
}

// newReport returns an empty report whose lists encode as [] rather than null.
func newReport() *Report {
	return &Report{Findings: []Finding{}, Checked: []CheckResult{}, CouldNotCheck: []NotChecked{}}
}
